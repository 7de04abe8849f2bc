"""Answers as Telegram HTML (pure functions, no network).

Telegram accepts only a few tags (b, i, u, s, a, code, pre, blockquote, ...) and needs
<, > and & escaped everywhere else, user text included; a message holds at most 4096
characters after entity parsing. Everything here escapes first and formats second.
"""

from __future__ import annotations

from html import escape

from retrieval.answer import Answer, AnswerPassage

from .render import excerpt

LIMIT = 4096
# Characters of a quoted paragraph: the best one, each "more" one, and the answering sentence
# shown for the further sources. Chosen by eye so that an answer fits a phone screen.
QUOTE_WIDTH, MORE_WIDTH, ALSO_WIDTH = 700, 500, 160

STRINGS = {
    "vi": {
        "start": "Xin chào! Tôi trả lời câu hỏi về hợp tác giữa <b>TP.HCM</b> và <b>Busan</b> dựa trên các bài báo, "
                 "kèm trích dẫn nguồn. Hãy hỏi bằng tiếng Việt (có dấu hay không dấu), tiếng Anh hoặc tiếng Hàn. "
                 "Thử một câu hỏi:",
        "help": "Gửi câu hỏi của bạn, ví dụ: <i>Busan kết nghĩa với TP.HCM từ năm nào?</i>\n\n"
                "Hỏi tiếp như khi trò chuyện (<i>ông ấy nói gì?</i>, <i>còn TP.HCM thì sao?</i>).\n\n"
                "/sources – các bài báo\n/about – mô hình và chỉ mục\n/ask &lt;câu hỏi&gt; – hỏi trong nhóm\n"
                "/new – cuộc trò chuyện mới\n/help – trợ giúp",
        "more": "Xem thêm", "no_more": "Không còn đoạn nào khác.", "paragraph": "đoạn",
        "also": "Nguồn khác", "thanks": "Cảm ơn góp ý của bạn!", "unknown_command": "Lệnh không rõ.",
        "blank": "Bạn muốn hỏi gì? Ví dụ: <i>Thị trưởng Busan tên là gì?</i>",
        "too_long": "Câu hỏi quá dài ({n} ký tự, tối đa {max}). Hãy hỏi ngắn gọn hơn.",
        "not_text": "Tôi chỉ đọc được tin nhắn văn bản. Hãy gõ câu hỏi của bạn.",
        "rate": "Bạn hỏi hơi nhanh. Vui lòng đợi {s} giây rồi hỏi tiếp.",
        "error": "Xin lỗi, đã có lỗi khi tìm câu trả lời. Vui lòng thử lại sau.",
        "admin_only": "Lệnh này chỉ dành cho quản trị viên.",
        "expired": "Câu hỏi này đã cũ, hãy hỏi lại.",
        "understood": "Hiểu là", "new": "Đã bắt đầu cuộc trò chuyện mới.",
        "about": "<b>busan-bot</b>\nMô hình: <code>{model}</code>\nDữ liệu: {articles} bài báo, {count} đoạn\n"
                 "Chỉ mục xây {age:.1f} giờ trước (tìm kiếm {search})\n"
                 "Câu hỏi được ghi lại {days:g} ngày để cải thiện bot (người dùng chỉ dưới dạng mã băm).",
        "reloading": "Đang nạp lại; câu hỏi vẫn được trả lời trong lúc chờ.",
        "reloaded": "Đã nạp lại: {articles} bài báo, {count} đoạn.", "skipped": "Bỏ qua {what}",
        "stats": "Câu hỏi: {questions}\nĐã trả lời: {share:.0%}\nGóp ý: 👍 {up} / 👎 {down}",
        "stats_down": "Cơ sở dữ liệu góp ý đang không trả lời; hãy thử lại sau.",
        "top_unanswered": "<b>Chưa trả lời được (7 ngày), theo nghĩa:</b>",
        "updating": "Các bài báo vừa được cập nhật; chỉ mục mới đang được xây dựng, câu trả lời này dựa trên chỉ mục trước.",
    },
    "en": {
        "start": "Hello! I answer questions about the partnership between <b>Ho Chi Minh City</b> and "
                 "<b>Busan</b> from news articles, with sources. Ask in Vietnamese, English or Korean. "
                 "Try one:",
        "help": "Send your question, e.g. <i>Since when have Busan and HCMC been partners?</i>\n\n"
                "Follow up as in a chat (<i>what did he say?</i>, <i>what about HCMC?</i>).\n\n"
                "/sources – the articles\n/about – model and index\n/ask &lt;question&gt; – ask in a group\n"
                "/new – a new conversation\n/help – this help",
        "more": "More", "no_more": "No further passages.", "paragraph": "paragraph",
        "also": "Also", "thanks": "Thanks for the feedback!", "unknown_command": "Unknown command.",
        "blank": "What would you like to know? E.g. <i>Who is the mayor of Busan?</i>",
        "too_long": "That question is too long ({n} characters, at most {max}). Please shorten it.",
        "not_text": "I can only read text messages. Please type your question.",
        "rate": "You are asking quickly. Please wait {s} seconds.",
        "error": "Sorry, something went wrong while looking for the answer. Please try again later.",
        "admin_only": "This command is for administrators only.",
        "expired": "This question is too old; please ask again.",
        "understood": "Understood as", "new": "A new conversation has started.",
        "about": "<b>busan-bot</b>\nModel: <code>{model}</code>\nCorpus: {articles} articles, {count} paragraphs\n"
                 "Index built {age:.1f} h ago ({search} search)\n"
                 "Questions are logged for {days:g} days to improve the bot (users only as keyed hashes).",
        "reloading": "A reload is already under way; questions are answered meanwhile.",
        "reloaded": "Reloaded: {articles} articles, {count} paragraphs.", "skipped": "Skipped {what}",
        "stats": "Questions: {questions}\nAnswered: {share:.0%}\nFeedback: 👍 {up} / 👎 {down}",
        "stats_down": "The feedback database is not answering right now; try again later.",
        "top_unanswered": "<b>Not answered (7 days), grouped by meaning:</b>",
        "updating": "The articles were just updated; a new index is being built and this answer comes from the previous one.",
    },
}

EXAMPLES = {
    "vi": ["Busan kết nghĩa với TP.HCM từ năm nào?", "Thị trưởng Busan tên là gì?", "Busan mạnh về lĩnh vực nào?"],
    "en": ["Since when have Busan and HCMC been partners?", "Who is the mayor of Busan?"],
}


def t(lang: str, key: str, **fmt) -> str:
    text = STRINGS[lang][key]
    return text.format(**fmt) if fmt else text


def _cite(ap: AnswerPassage, lang: str) -> str:
    p = ap.passage
    source = f" — {escape(p.source)}" if p.source else ""
    return f"<i>{escape(p.title)}{source}, {t(lang, 'paragraph')} {p.paragraph}</i>"


def _quote(ap: AnswerPassage, width: int) -> str:
    ex = excerpt(ap.passage.text, ap.highlight, width)
    return f"<blockquote>{escape(ex.before)}<b>{escape(ex.highlight)}</b>{escape(ex.after)}</blockquote>"


def render_answer(answer: Answer, lang: str, first: int = 1) -> str:
    """The best passage quoted with its answering sentence in bold, then each other passage of
    the answer (``top_k`` in all) by its answering sentence and source: every passage the
    answer's cursor counts as shown is shown, so "More" goes on from the last one."""
    shown = answer.shown()
    understood = understood_line(answer, lang)
    if not shown:
        return understood + escape(answer.message or t(lang, "no_more"))
    best, rest = shown[0], shown[1:]
    parts = [understood.rstrip("\n")] if understood else []
    parts += [f"<i>{escape(answer.message)}</i>"] if answer.message else []  # an uncertain answer's caveat
    parts += [_quote(best, QUOTE_WIDTH), _cite(best, lang)]
    if rest:
        lines = [f"{first + i + 1}. {escape(_short(ap.highlight))} — {_cite(ap, lang)}" for i, ap in enumerate(rest)]
        parts.append(f"\n<b>{t(lang, 'also')}:</b>\n" + "\n".join(lines))
    if answer.updating:
        parts.append(f"\n<i>{t(lang, 'updating')}</i>")
    return "\n".join(parts)


def understood_line(answer: Answer, lang: str) -> str:
    """A follow-up's reading, in italics, so a user sees what was understood and can correct it."""
    if not answer.understood_as:
        return ""
    return f"<i>{escape(t(lang, 'understood'))}: {escape(answer.understood_as)}</i>\n"


def _short(text: str, width: int = ALSO_WIDTH) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def render_more(answer: Answer, lang: str, first: int) -> str:
    """Further passages ("More"): each quoted with its citation."""
    if not answer.passages:
        return t(lang, "no_more")
    return "\n\n".join(f"{first + i}. {_quote(ap, MORE_WIDTH)}{_cite(ap, lang)}" for i, ap in enumerate(answer.passages))


def plain_text(html_text: str) -> str:
    """The same message without markup, for when Telegram refuses to parse the HTML."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html_text))


def split_message(html_text: str, limit: int = LIMIT) -> list[str]:
    """Split at line breaks into chunks Telegram accepts, never inside a tag pair.

    Our messages put every tag pair on one line, so cutting between lines keeps each
    chunk well nested; a single line longer than the limit is cut as plain text.
    """
    chunks: list[str] = []
    current = ""
    for line in html_text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _visible_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while _visible_len(line) > limit:
            text = plain_text(line)
            chunks.append(escape(text[:limit - 10]))
            line = escape(text[limit - 10 :])
        current = line
    if current:
        chunks.append(current)
    return chunks


def _visible_len(html_text: str) -> int:
    return len(plain_text(html_text))
