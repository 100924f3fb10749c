"""The survey's constructs and items: wording in English and Chinese, reverse keying, sources.

Every attitudinal construct has four items on a 1–5 agreement scale (1 = strongly disagree,
5 = strongly agree); participation has one item per form on a 1–5 frequency scale (1 = never,
5 = very often, past 12 months). Items are *adapted* from the published scales named in
``source`` (a key of ``book/references.bib``); the kit's wording is its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaoyang.errors import UnknownNameError
from chaoyang.i18n import N_, is_chinese, t


@dataclass(frozen=True)
class Construct:
    """A latent construct of the interaction-willingness framework.

    Attributes
    ----------
    key : str
        Short name used as column prefix, e.g. ``"BEL"``.
    name : str
        English name.
    chinese, pinyin : str
        Chinese term and its pinyin.
    role : str
        ``"driver"``, ``"mediator"``, ``"outcome"``, ``"participation"`` or ``"marker"``.
    pathways : tuple of str
        Pathways the construct belongs to (``"party"``, ``"police"``, ``"brand"``).
    category : str or None
        Id of the grounded-theory category in the codebook that the construct measures.
    """

    key: str
    name: str
    chinese: str
    pinyin: str
    role: str
    pathways: tuple[str, ...]
    category: str | None
    definition: str


@dataclass(frozen=True)
class Item:
    """One survey item.

    Attributes
    ----------
    column : str
        Column name in ``survey.csv``, e.g. ``"BEL4"``.
    construct : str
        Key of the construct it measures.
    text_en, text_zh : str
        Wording in English and Chinese.
    reverse : bool
        True if agreement means *less* of the construct (the raw answer must be reversed,
        6 - x, before scoring).
    source : str
        Key in ``book/references.bib`` of the scale the item is adapted from.
    """

    column: str
    construct: str
    text_en: str
    text_zh: str
    reverse: bool
    source: str


CONSTRUCTS: dict[str, Construct] = {c.key: c for c in [
    Construct("COH", "Community cohesion", "社区凝聚力", "shequ ningjuli", "driver", ("party",), "SCENARIOS",
              "Residents' shared trust and readiness to help one another, which the community party "
              "organization builds through interaction scenarios."),
    Construct("PCR", "Police-community relations", "警民关系", "jingmin guanxi", "driver", ("police",), "POLICE_ACTION",
              "How residents judge the community police: respectful, fair, responsive and trustworthy."),
    Construct("BRP", "'Chaoyang Residents' brand reputation", "“朝阳群众”品牌声誉", "Chaoyang qunzhong pinpai shengyu",
              "driver", ("brand",), "BRAND_SPREAD",
              "The perceived fame and esteem of the 'Chaoyang Residents' group image."),
    Construct("BEL", "Sense of community belonging", "社区归属感", "shequ guishugan", "mediator", ("party",), "BELONGING",
              "Feeling that the community is one's home and its people one's own."),
    Construct("CLO", "Police-resident closeness", "警民亲近感", "jingmin qinjingan", "mediator", ("police",), "CLOSENESS",
              "A personal, trusting, reciprocal tie to the community police officer."),
    Construct("BID", "Brand identity", "品牌认同", "pinpai rentong", "mediator", ("brand",), "BRAND_IDENTITY",
              "Seeing oneself as one of the 'Chaoyang Residents' and taking its successes as one's own."),
    Construct("EE", "Emotional energy", "情感能量", "qinggan nengliang", "mediator", ("party", "police", "brand"),
              "EMOTIONAL_ENERGY", "Collins's emotional energy: confidence and enthusiasm left by shared activity."),
    Construct("RES", "Sense of responsibility", "责任感", "zerengan", "mediator", ("party", "police", "brand"),
              "RESPONSIBILITY", "Feeling personally obliged to contribute to community safety."),
    Construct("WIL", "Willingness to participate in mass prevention", "参与群防群治意愿", "canyu qunfang qunzhi yiyuan",
              "outcome", ("party", "police", "brand"), None,
              "Readiness to take part in mass prevention and governance activities."),
    Construct("PAR", "Participation in six forms", "参与行为", "canyu xingwei", "participation", (), None,
              "How often the resident took part in each of the six forms of participation in the past 12 months."),
    Construct("MRK", "Marker variable: interest in gardening", "标记变量：园艺兴趣", "biaoji bianliang: yuanyi xingqu",
              "marker", (), None,
              "A construct theoretically unrelated to the model, used to gauge common-method variance."),
]}

ITEMS: tuple[Item, ...] = (
    Item("COH1", "COH", "People in my community are willing to help their neighbours.", "社区里的人愿意帮助邻居。", False, "sampson1997neighborhoods"),
    Item("COH2", "COH", "This is a close-knit community.", "这是一个团结紧密的社区。", False, "sampson1997neighborhoods"),
    Item("COH3", "COH", "People in this community can be trusted.", "这个社区的人值得信任。", False, "sampson1997neighborhoods"),
    Item("COH4", "COH", "People in this community generally don't get along with each other.", "这个社区的人彼此之间通常相处得不好。", True, "sampson1997neighborhoods"),
    Item("PCR1", "PCR", "The police in this community treat residents with dignity and respect.", "本社区民警尊重居民、以礼相待。", False, "sunshine2003role"),
    Item("PCR2", "PCR", "The police in this community make decisions that are fair to everyone.", "本社区民警处理问题对大家都公平。", False, "sunshine2003role"),
    Item("PCR3", "PCR", "I trust the police in this community.", "我信任本社区的民警。", False, "sunshine2003role"),
    Item("PCR4", "PCR", "The police here do not care about residents' concerns.", "这里的民警不关心居民的诉求。", True, "sunshine2003role"),
    Item("BRP1", "BRP", "'Chaoyang residents' are well known throughout the country.", "“朝阳群众”在全国都很有名。", False, "mael1992alumni"),
    Item("BRP2", "BRP", "People think highly of 'Chaoyang residents'.", "人们对“朝阳群众”评价很高。", False, "mael1992alumni"),
    Item("BRP3", "BRP", "'Chaoyang residents' are considered an example for other places.", "“朝阳群众”被视为其他地方学习的榜样。", False, "mael1992alumni"),
    Item("BRP4", "BRP", "The 'Chaoyang residents' label is mostly an online joke.", "“朝阳群众”这个说法主要是网上的玩笑。", True, "mael1992alumni"),
    Item("BEL1", "BEL", "I feel like a member of this community.", "我觉得自己是这个社区的一份子。", False, "chavis2008sense"),
    Item("BEL2", "BEL", "It is very important to me to be a part of this community.", "成为这个社区的一员对我很重要。", False, "chavis2008sense"),
    Item("BEL3", "BEL", "I expect to be part of this community for a long time.", "我希望长期在这个社区生活。", False, "chavis2008sense"),
    Item("BEL4", "BEL", "It would not matter to me if I moved out of this community.", "搬离这个社区对我来说无所谓。", True, "chavis2008sense"),
    Item("CLO1", "CLO", "Our community police officer feels like one of us.", "社区民警就像我们自己人一样。", False, "aron1992inclusion"),
    Item("CLO2", "CLO", "I would feel comfortable chatting with our community police officer.", "我愿意和社区民警聊聊天。", False, "tyler2002trust"),
    Item("CLO3", "CLO", "If I had a problem, I would turn to our community police officer.", "遇到困难时，我会去找社区民警。", False, "tyler2002trust"),
    Item("CLO4", "CLO", "I have a personal connection with our community police officer.", "我和社区民警之间有私人交情。", False, "aron1992inclusion"),
    Item("BID1", "BID", "When someone criticizes 'Chaoyang residents', it feels like a personal insult.", "有人批评“朝阳群众”时，我感觉像是在批评我自己。", False, "mael1992alumni"),
    Item("BID2", "BID", "The successes of 'Chaoyang residents' are my successes.", "“朝阳群众”的成绩就是我的成绩。", False, "mael1992alumni"),
    Item("BID3", "BID", "When I talk about 'Chaoyang residents', I say 'we' rather than 'they'.", "谈到“朝阳群众”时，我说“我们”而不是“他们”。", False, "mael1992alumni"),
    Item("BID4", "BID", "When someone praises 'Chaoyang residents', it feels like a personal compliment.", "有人称赞“朝阳群众”时，我感觉像是在称赞我自己。", False, "mael1992alumni"),
    Item("EE1", "EE", "Taking part in community activities leaves me full of energy.", "参加社区活动让我充满活力。", False, "watson1988development"),
    Item("EE2", "EE", "I feel enthusiastic when I join neighbours in community safety work.", "和邻居一起参加社区平安工作时，我很有热情。", False, "watson1988development"),
    Item("EE3", "EE", "After a community gathering I feel inspired.", "参加社区聚会后，我感到很受鼓舞。", False, "watson1988development"),
    Item("EE4", "EE", "Community activities leave me drained.", "社区活动让我感到身心疲惫。", True, "watson1988development"),
    Item("RES1", "RES", "I feel a personal responsibility to help keep my community safe.", "我觉得自己有责任帮助维护社区平安。", False, "morrison1999taking"),
    Item("RES2", "RES", "Keeping the community safe is my job too, not only the police's.", "维护社区平安不只是警察的事，也是我的事。", False, "morrison1999taking"),
    Item("RES3", "RES", "It is up to me to report problems I notice in the community.", "发现社区里的问题，我有责任报告。", False, "morrison1999taking"),
    Item("RES4", "RES", "Community safety is none of my business.", "社区安全与我无关。", True, "morrison1999taking"),
    Item("WIL1", "WIL", "I am willing to take part in community patrols.", "我愿意参加社区巡逻。", False, "ajzen1991theory"),
    Item("WIL2", "WIL", "I intend to report suspicious situations to the police or the community.", "我打算向警察或社区报告可疑情况。", False, "ajzen1991theory"),
    Item("WIL3", "WIL", "I am willing to volunteer for community safety activities in the coming year.", "我愿意在未来一年参加社区平安志愿活动。", False, "ajzen1991theory"),
    Item("WIL4", "WIL", "I would encourage my family and neighbours to join mass prevention activities.", "我会鼓励家人和邻居参加群防群治活动。", False, "ajzen1991theory"),
    Item("PAR_SAFETY", "PAR", "Community safety maintenance (patrols, gate watch, wearing the red armband).", "社区治安维护（巡逻、值守、佩戴红袖标）。", False, "tian2024mobilization"),
    Item("PAR_ADVICE", "PAR", "Giving safety advice or suggestions to the community or the police.", "向社区或警方提出安全建议。", False, "tian2024mobilization"),
    Item("PAR_NEIGHBOUR", "PAR", "Neighbourly assistance (helping neighbours, mediating small disputes).", "邻里互助（帮助邻居、调解小纠纷）。", False, "tian2024mobilization"),
    Item("PAR_PROMOTION", "PAR", "Safety promotion (anti-fraud talks, handing out leaflets, posting in groups).", "平安宣传（反诈宣讲、发放传单、群内转发）。", False, "tian2024mobilization"),
    Item("PAR_VOLUNTEER", "PAR", "Taking part in a volunteer team.", "参加志愿者队伍。", False, "tian2024mobilization"),
    Item("PAR_INFO", "PAR", "Providing information or tips to the police.", "向警方提供线索或信息。", False, "tian2024mobilization"),
    Item("MRK1", "MRK", "I enjoy looking after plants.", "我喜欢照料花草。", False, "lindell2001accounting"),
    Item("MRK2", "MRK", "I often read about gardening.", "我经常阅读园艺方面的内容。", False, "lindell2001accounting"),
    Item("MRK3", "MRK", "Gardening is a relaxing hobby for me.", "园艺对我来说是一种放松的爱好。", False, "lindell2001accounting"),
)

#: The six forms of participation named in the dissertation, in its order.
PARTICIPATION_FORMS: tuple[str, ...] = tuple(i.column for i in ITEMS if i.construct == "PAR")

#: Constructs of the structural model, in causal order (drivers, mediators, outcome).
LATENT_ORDER: tuple[str, ...] = ("COH", "PCR", "BRP", "BEL", "CLO", "BID", "EE", "RES", "WIL")

#: The three parallel triple-mediation models of the dissertation: driver -> (specific mediator,
#: emotional energy, responsibility) -> willingness.
PATHWAYS: dict[str, dict[str, object]] = {
    "party": {"label": N_("community party organization-driven"), "driver": "COH", "mediators": ("BEL", "EE", "RES")},
    "police": {"label": N_("community police-driven"), "driver": "PCR", "mediators": ("CLO", "EE", "RES")},
    "brand": {"label": N_("'Chaoyang Residents' brand dissemination-driven"), "driver": "BRP",
              "mediators": ("BID", "EE", "RES")},
}


def legend_label(code: str) -> str:
    """Legend text of a construct or item code: the code in English, code and Chinese construct name in Chinese.

    Figures keep the variable codes (they are the column names students type); the Chinese edition
    adds the construct's Chinese name (:attr:`Construct.chinese`, the glossary's form). Codes that
    are no construct (e.g. ``"PAR_SAFETY"``) are returned unchanged.

    Parameters
    ----------
    code : str
        A construct key (``"BEL"``) or an item column (``"BEL4"``).

    Examples
    --------
    >>> legend_label("BEL4")
    'BEL4'
    >>> from chaoyang.i18n import language
    >>> with language("zh_CN"):
    ...     legend_label("BEL4")
    'BEL4 社区归属感'
    """
    if not is_chinese():
        return code
    key = code.rstrip("0123456789")
    return f"{code} {CONSTRUCTS[key].chinese}" if key in CONSTRUCTS else code


def items_of(construct: str) -> tuple[Item, ...]:
    """Return the items of one construct.

    Parameters
    ----------
    construct : str
        Construct key, e.g. ``"BEL"``.

    Returns
    -------
    tuple of Item

    Raises
    ------
    KeyError
        If the construct is unknown; the message lists the known keys.

    Examples
    --------
    >>> [i.column for i in items_of("BEL")]
    ['BEL1', 'BEL2', 'BEL3', 'BEL4']
    """
    if construct not in CONSTRUCTS:
        raise UnknownNameError(t("unknown construct {construct!r}; known constructs: {known}", construct=construct,
                                 known=", ".join(CONSTRUCTS)))
    return tuple(i for i in ITEMS if i.construct == construct)
