"""A realistic mobile-carrier catalogue with real-world materials (BIZ-1.1)."""

from __future__ import annotations

from catalog.models import BusinessType, GlossaryTerm, PhraseKind, RequiredMaterial, StandardPhrase

ID = ("本人有效身份证件原件", True, "如遗失可先到公安机关办理临时身份证")
ID_COPY = ("身份证复印件", False, "身份证复印件可在厅内自助复印机免费打印")
SIM = ("原SIM卡（如有）", False, "")
AUTH = ("机主授权委托书", False, "委托书模板可在引导台领取或在APP「我的-服务-表格下载」打印")
AGENT_ID = ("代办人身份证件原件", False, "代办时需要")

CATALOGUE = [
    # code, name, name_en, category, prefix, steps, materials, guide
    (
        "CONSULT",
        "业务咨询",
        "General enquiry",
        "consultation",
        "C",
        ["取号", "说明需求", "营业员解答"],
        [],
        "套餐、资费、活动等咨询，现场即时解答；无法即时解答的，我们会在24小时内电话或短信回复。",
    ),
    (
        "PLAN_CHANGE",
        "套餐变更",
        "Plan change",
        "basic",
        "A",
        ["核验身份", "确认新套餐及生效时间", "系统办理", "打印或电子凭证"],
        [ID],
        "套餐变更一般次月生效；当月变更规则以套餐说明为准。",
    ),
    (
        "TOPUP",
        "话费充值",
        "Top-up",
        "basic",
        "A",
        ["告知号码和金额", "支付", "打印凭证"],
        [],
        "也可在自助终端或APP充值，无需排队。",
    ),
    (
        "SIM_REPLACE",
        "补换卡",
        "SIM replacement",
        "basic",
        "A",
        ["核验身份（人证比对）", "选择卡类型", "写卡", "激活并测试"],
        [ID, SIM, AUTH, AGENT_ID],
        "补卡需机主本人办理；代办需授权委托书和双方证件。",
    ),
    (
        "REALNAME",
        "实名登记",
        "Real-name registration",
        "basic",
        "A",
        ["核验身份（人证比对）", "登记信息", "确认签字"],
        [ID, ID_COPY],
        "按国家规定，手机号码须实名登记。",
    ),
    (
        "SUSPEND_RESUME",
        "停复机",
        "Suspend / resume service",
        "basic",
        "A",
        ["核验身份", "选择停机或复机", "办理"],
        [ID],
        "挂失停机也可拨打10086办理。",
    ),
    (
        "INVOICE",
        "发票打印",
        "Invoice printing",
        "basic",
        "A",
        ["告知号码和月份", "核验", "打印"],
        [ID],
        "电子发票可在APP「账单-发票」自行下载。",
    ),
    (
        "FAULT",
        "故障报修",
        "Fault report",
        "basic",
        "A",
        ["描述故障", "初步排查", "登记工单"],
        [],
        "宽带故障一般24小时内上门处理。",
    ),
    (
        "PORT_OUT",
        "携号转网",
        "Number portability",
        "complex",
        "B",
        ["查询携转资格", "核验身份", "确认合约及欠费情况", "办理携转授权", "提交"],
        [ID, ("携转授权码短信", True, "编辑短信SQXZ#姓名#证件号码发送至10086获取")],
        "有未到期合约的需先处理合约；授权码有效期内办理。",
    ),
    (
        "BROADBAND_NEW",
        "宽带新装",
        "Broadband installation",
        "complex",
        "B",
        ["查询地址覆盖", "选择套餐", "预约上门时间", "签署协议", "缴费"],
        [ID, ("装机地址证明（房产证或租赁合同）", False, "租户可提供租赁合同或房东同意书")],
        "装机一般在预约后48小时内上门。",
    ),
    (
        "CONTRACT_PHONE",
        "合约机办理",
        "Contract handset",
        "complex",
        "B",
        ["了解需求并推荐机型", "客户确认合约条款", "核验身份", "签署合约", "激活并交付"],
        [ID, ID_COPY, ("银行卡（如选择分期）", False, "")],
        "合约期内不可提前解约；请仔细阅读合约条款。",
    ),
    (
        "DEVICE_SALE",
        "终端销售",
        "Handset sales",
        "complex",
        "B",
        ["了解需求", "演示机型", "客户确认购买", "收款开票", "激活与数据迁移"],
        [],
        "购机发票请妥善保存，用于保修。",
    ),
    (
        "TRANSFER_OWNER",
        "过户",
        "Ownership transfer",
        "complex",
        "B",
        ["原机主与新机主到场", "双方核验身份", "结清费用", "签署过户协议"],
        [
            ID,
            (
                "新机主有效身份证件原件",
                True,
                "须新机主本人到场出示；证件遗失可先到户籍地公安机关办理临时身份证",
            ),
            ("原机主与新机主双方到场", True, "如原机主无法到场，需公证委托书"),
        ],
        "过户前须结清所有费用，合约期内号码不可过户。",
    ),
]

PHRASES = [
    (PhraseKind.GREETING, "您好，请问有什么可以帮您？", "Hello, how can I help you?", "STF-2.1"),
    (PhraseKind.FAREWELL, "感谢光临，祝您生活愉快！", "Thank you for coming. Have a nice day!", "STF-2.1"),
    (
        PhraseKind.SOOTHING,
        "您别着急，我们会尽力解决",
        "Please don't worry, we will do our best to solve it.",
        "STF-2.2",
    ),
    (
        PhraseKind.EMERGENCY,
        "系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息",
        "The system is under maintenance and expected back in 10 minutes; please rest in the waiting area.",
        "STF-3.2",
    ),
]

GLOSSARY = [
    (
        "流量结转",
        "本月没用完的流量会自动转到下个月",
        "Data you don't use this month moves to next month automatically",
    ),
    (
        "副卡",
        "和主号共用套餐的另一张卡，费用算在主号上",
        "A second SIM that shares the main number's plan and bill",
    ),
    ("合约期", "签约后需要保持套餐的时间，期间不能随意取消", "The period you agreed to keep the plan"),
    ("携号转网", "换运营商但保留原来的手机号码", "Switch to another carrier and keep your number"),
    ("实名认证", "用身份证登记这个号码是您本人在用", "Register with your ID that the number is yours"),
    ("月租", "每个月固定要交的套餐费", "The fixed monthly plan fee"),
    ("定向流量", "只能在指定APP里使用的流量", "Data that only works in certain apps"),
    (
        "停机保号",
        "暂时不用但保留号码，每月只交很少的费用",
        "Keep your number while not using it, for a small fee",
    ),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    for order, (code, name, name_en, cat, prefix, steps, materials, guide) in enumerate(CATALOGUE):
        bt, created = BusinessType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "category": cat,
                "ticket_prefix": prefix,
                "process_steps": steps,
                "guide_text": guide,
                "sort_order": order,
            },
        )
        if created:
            for i, (mname, mandatory, how) in enumerate(materials):
                RequiredMaterial.objects.create(
                    business_type=bt, name=mname, mandatory=mandatory, how_to_obtain=how, sort_order=i
                )
            bt.halls.set(halls if code not in {"BROADBAND_NEW", "CONTRACT_PHONE"} else halls[:2])
    for i, (kind, text, en, clause) in enumerate(PHRASES):
        StandardPhrase.objects.get_or_create(
            kind=kind, text=text, defaults={"text_en": en, "clause": clause, "sort_order": i}
        )
    for term, plain, en in GLOSSARY:
        GlossaryTerm.objects.get_or_create(term=term, defaults={"plain": plain, "plain_en": en})
    # Counters that are not one-window serve the basic business; the last-but-one serves complex business too.
    from halls.models import Counter

    basic = list(BusinessType.objects.filter(category__in=["basic", "consultation"]))
    complex_ = list(BusinessType.objects.filter(category="complex"))
    for counter in Counter.objects.filter(hall__in=halls, serves_all=False):
        if not counter.business_types.exists():
            counter.business_types.set(basic + (complex_ if counter.number % 2 == 0 else []))
