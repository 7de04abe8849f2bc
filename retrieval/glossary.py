"""Dictionary-based query translation: English words -> Vietnamese, for the lexical side.

e5 matches an English question to a Vietnamese paragraph by meaning, but on a corpus where
every paragraph is about the same two cities that is not precise enough. Translating the
content words of the question with a small glossary of news, diplomacy and economy terms
gives BM25 something to match. Not a translator: unknown words are simply left out.
"""

from __future__ import annotations

import re

GLOSSARY = {
    # longest phrases first (matched before their parts)
    "general secretary": "tổng bí thư", "consulate general": "tổng lãnh sự quán", "consul general": "tổng lãnh sự",
    "ho chi minh city": "thành phố hồ chí minh", "saigon": "thành phố hồ chí minh", "smart city": "đô thị thông minh", "film industry": "công nghiệp điện ảnh",
    "civil servants": "công chức", "civil servant": "công chức", "human resources": "nguồn nhân lực",
    "state visit": "chuyến thăm cấp nhà nước", "local cooperation": "hợp tác địa phương",
    "science and technology": "khoa học công nghệ", "infrastructure": "cơ sở hạ tầng", "water": "nguồn nước",
    "sister city": "kết nghĩa", "twin": "kết nghĩa", "twinned": "kết nghĩa", "twinning": "kết nghĩa",
    "economic center": "trung tâm kinh tế", "economic centre": "trung tâm kinh tế",
    "port city": "thành phố cảng", "port cities": "thành phố cảng", "welcome ceremony": "lễ đón",
    "mayor": "thị trưởng", "president": "tổng thống", "prime minister": "thủ tướng", "wife": "phu nhân",
    "airport": "sân bay", "consulate": "lãnh sự quán", "embassy": "đại sứ quán", "delegation": "đoàn",
    "delegations": "đoàn", "leader": "lãnh đạo", "leaders": "lãnh đạo", "leadership": "lãnh đạo",
    "city": "thành phố", "cities": "thành phố", "province": "tỉnh", "provinces": "tỉnh", "locality": "địa phương",
    "localities": "địa phương", "local": "địa phương", "country": "nước", "countries": "nước", "world": "thế giới",
    "korea": "hàn quốc", "korean": "hàn quốc", "vietnam": "việt nam", "vietnamese": "việt nam",
    "cooperation": "hợp tác", "cooperate": "hợp tác", "partner": "hợp tác", "partners": "hợp tác",
    "partnership": "hợp tác", "relations": "quan hệ", "relationship": "quan hệ", "ties": "quan hệ",
    "friendship": "hữu nghị", "friendly": "hữu nghị", "agreement": "thỏa thuận", "agreements": "thỏa thuận",
    "signed": "ký", "sign": "ký", "anniversary": "kỷ niệm", "celebrated": "kỷ niệm", "years": "năm", "year": "năm",
    "first": "đầu tiên", "second": "thứ hai", "largest": "lớn", "biggest": "lớn", "rank": "thứ", "ranks": "thứ",
    "port": "cảng", "ports": "cảng", "seaport": "cảng biển", "seaports": "cảng biển", "maritime": "hàng hải",
    "shipping": "vận tải", "transport": "vận tải", "logistics": "logistics", "tourism": "du lịch",
    "trade": "thương mại", "commerce": "thương mại", "commercial": "thương mại", "investment": "đầu tư",
    "invest": "đầu tư", "investors": "đầu tư", "education": "giáo dục", "culture": "văn hóa", "cultural": "văn hóa",
    "exchange": "giao lưu", "exchanges": "giao lưu", "training": "đào tạo", "programme": "chương trình",
    "program": "chương trình", "library": "thư viện", "libraries": "thư viện", "food": "thực phẩm",
    "processing": "gia công", "research": "nghiên cứu", "development": "phát triển", "develop": "phát triển",
    "growth": "phát triển", "businesses": "doanh nghiệp", "business": "doanh nghiệp", "companies": "doanh nghiệp",
    "company": "doanh nghiệp", "enterprises": "doanh nghiệp", "industry": "công nghiệp", "film": "điện ảnh",
    "cinema": "điện ảnh", "technology": "công nghệ", "science": "khoa học", "urban": "đô thị", "satellite": "vệ tinh",
    "strengths": "thế mạnh", "strength": "thế mạnh", "strong": "thế mạnh", "experience": "kinh nghiệm",
    "management": "quản lý", "citizens": "công dân", "citizen": "công dân", "rights": "quyền lợi",
    "protect": "bảo vệ", "support": "hỗ trợ", "visit": "thăm", "visited": "thăm", "met": "tiếp",
    "meet": "tiếp", "received": "tiếp", "talks": "hội đàm", "opened": "ra mắt", "launch": "ra mắt",
    "launched": "ra mắt", "thanked": "cảm ơn", "thanks": "cảm ơn", "proposed": "đề nghị", "propose": "đề nghị",
    "wants": "mong muốn", "want": "mong muốn", "hopes": "mong muốn", "morning": "sáng", "august": "tháng 8",
    "economy": "kinh tế", "economic": "kinh tế", "government": "chính quyền", "global": "toàn cầu",
    "hub": "trung tâm", "center": "trung tâm", "centre": "trung tâm", "people": "nhân dân",
}
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b")


def translate_terms(question: str, english_only: bool = False) -> str:
    """The Vietnamese glossary words for the English words and phrases in ``question``.

    ``english_only``: for a Vietnamese question with English words in it ("Busan mayor là ai"),
    only phrases none of whose words could be a Vietnamese syllable ("met" could be "mệt")."""
    from .text import could_be_vietnamese

    found = [m.group(1) for m in _PATTERN.finditer(question.lower())]
    if english_only:
        found = [p for p in found if not any(could_be_vietnamese(w) for w in p.split())]
    return " ".join(GLOSSARY[p] for p in found)


def glossed_words(question: str) -> frozenset[str]:
    """The English words of ``question`` that a glossary phrase translates."""
    return frozenset(w for m in _PATTERN.finditer(question.lower()) for w in m.group(1).split())


# Vietnamese ways of asking that news text words differently (accent-folded on both sides).
# "Kết nghĩa" (twinning) is how people ask; articles write "quan hệ hợp tác hữu nghị".
VI_SYNONYMS = {
    "thanh pho ket nghia": "quan he huu nghi",
    "ket nghia": "quan he huu nghi",
    "chi em": "huu nghi",
    "ky ket": "thoa thuan",
    "hop tac song phuong": "hop tac",
    "sai gon": "thanh pho ho chi minh",
}
_VI_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(VI_SYNONYMS, key=len, reverse=True)) + r")\b")


def vietnamese_synonyms(question: str) -> str:
    """The question, accent-folded, with its phrasing mapped to the articles' (lexical side only)."""
    from .text import fold

    return _VI_PATTERN.sub(lambda m: VI_SYNONYMS[m.group(1)], fold(question))
