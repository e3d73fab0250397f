"""Floor pages: screens (display, SSE, kiosk notices), management (announcements, emergency), greeter, board."""
