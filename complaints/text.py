"""Chinese complaint text: segmentation with the telecom dictionary, keyword rules (CMP-2.1, CMP-3).

One ``jieba.Tokenizer`` of our own (not the process-wide default) so our user dictionary never leaks into other
apps' segmentation, built once per process.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lib.masking import mask_pi_in_text

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "telecom_dict.txt"


STOP_WORDS = frozenset(
    """
    的 了 是 我 你 他 她 它 们 我们 你们 他们 在 和 与 及 或 也 都 就 还 又 很 太 非常 这 那 这个 那个 这样 那样
    一个 一下 有 没有 没 不 要 会 能 可以 可能 已经 但是 但 而且 并且 因为 所以 如果 然后 就是 还是 什么 怎么 为什么
    啊 吧 呢 吗 嘛 呀 哦 哈 呃 给 把 被 让 对 对于 从 到 向 于 上 下 中 里 后 前 时 时候 说 问 想 去 来 做 用 次 个
    月 日 号 天 年 元 块 多 少 才 再 等 等等 自己 本人 客户 用户 先生 女士 请 希望 要求 表示 反映 称 情况 问题 事情
    一次 两次 三次 几次 一下子 一直 现在 当时 今天 昨天 之前 之后 以后 以前 后来 而 之 其 该 此 并 即 只 只是 仍 仍然 却 已 将 为 以 由 所
    """.split()
)

_tokenizer = None
_lock = threading.Lock()


def tokenizer():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.load_userdict(str(USER_DICT))
                _tokenizer = tk
    return _tokenizer


def terms(text: str) -> list[str]:
    """Content words of a text: segmented, without stop words, punctuation, digits or single characters."""
    words = []
    for word in tokenizer().lcut(mask_pi_in_text(text or "")):
        word = word.strip()
        if len(word) < 2 or word in STOP_WORDS or not re.search(r"[\u4e00-\u9fff]", word):
            continue
        words.append(word)
    return words
