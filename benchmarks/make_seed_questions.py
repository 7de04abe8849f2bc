"""Writes eval/seed_questions.jsonl: our hand-written questions with gold paragraphs (article, number).

Kinds: vi, vi_plain, en, ko (clean questions), chat (as typed in a chat), near (about the
domain, not answered by the articles), off (off-topic). Every other question is "dev" (tuning),
the rest "test" (only reported).

Run again after changing the corpus cleaning, so gold ids follow the new paragraph ids:
    python -m benchmarks.make_seed_questions
"""
import json
from pathlib import Path
from retrieval.corpus import load_corpus
A, B = "000_1c80cb37f3f5c2fc", "002_f2b9a64bda729082"
Q = [
# Vietnamese with diacritics
("vi", "Busan kết nghĩa với TP.HCM từ năm nào?", [(A,1)], "1995"),
("vi", "Địa phương đầu tiên của Hàn Quốc thiết lập quan hệ hữu nghị với TP.HCM là địa phương nào?", [(A,1)], "Busan"),
("vi", "Hai thành phố hợp tác trong những lĩnh vực nào?", [(A,1)], "thương mại"),
("vi", "TP.HCM mong muốn Busan duy trì chương trình đào tạo gì?", [(A,4)], "đào tạo công chức"),
("vi", "Hai bên chia sẻ kinh nghiệm quản lý gì?", [(A,4)], "cảng biển"),
("vi", "Ông Oh Keo-don nói hai thành phố đã thiết lập quan hệ được bao nhiêu năm?", [(A,6)], "23 năm"),
("vi", "Busan có thế mạnh trong những lĩnh vực nào?", [(A,7)], "cơ sở hạ tầng"),
("vi", "Busan muốn hợp tác giao lưu giữa hệ thống nào?", [(A,9)], "thư viện"),
("vi", "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan vào ngày nào?", [(B,2)], "13-8"),
("vi", "Thị trưởng TP Busan tên là gì?", [(B,2),(B,3),(B,4)], "Park Heong-joon"),
("vi", "Busan là thành phố cảng lớn thứ mấy trên thế giới?", [(B,5)], "thứ 5"),
("vi", "Busan là trung tâm kinh tế lớn thứ mấy của Hàn Quốc?", [(B,5)], "thứ hai"),
("vi", "Tổng Lãnh sự quán Việt Nam được ra mắt ở đâu?", [(B,6)], "Busan"),
("vi", "Tổng Bí thư đã hội đàm với Tổng thống Hàn Quốc nào?", [(B,7)], "Lee Jae Myung"),
("vi", "Việt Nam muốn Busan hỗ trợ trong lĩnh vực công nghiệp nào?", [(B,8)], "điện ảnh"),
("vi", "Tổng Bí thư được đón tại sân bay nào?", [(B,9)], "Gimhae"),
("vi", "Busan sẽ bảo vệ quyền lợi của ai?", [(B,11)], "công dân Việt Nam"),
# Vietnamese typed without diacritics
("vi_plain", "busan ket nghia voi tphcm tu nam nao", [(A,1)], "1995"),
("vi_plain", "dia phuong dau tien cua han quoc hop tac voi tp hcm", [(A,1)], "Busan"),
("vi_plain", "chuong trinh dao tao cong chuc", [(A,4)], "đào tạo công chức"),
("vi_plain", "kinh nghiem quan ly cang bien va logistics", [(A,4)], "cảng biển"),
("vi_plain", "sau bao nhieu nam thiet lap quan he hop tac huu nghi", [(A,6)], "23 năm"),
("vi_plain", "doanh nghiep Busan muon dau tu vao linh vuc nao o TPHCM", [(A,7)], "cơ sở hạ tầng"),
("vi_plain", "hop tac he thong thu vien va lam sach nguon nuoc", [(A,9)], "thư viện"),
("vi_plain", "Tong Bi thu To Lam tiep thi truong Busan ngay nao", [(B,2)], "13-8"),
("vi_plain", "Busan la thanh pho cang lon thu may the gioi", [(B,5)], "thứ 5"),
("vi_plain", "le ra mat tong lanh su quan viet nam tai busan", [(B,6)], "Tổng Lãnh sự quán"),
("vi_plain", "cong nghiep dien anh", [(B,8)], "điện ảnh"),
("vi_plain", "san bay quoc te Gimhae", [(B,9)], "Gimhae"),
("vi_plain", "bao ve quyen loi cong dan viet nam", [(B,11)], "công dân Việt Nam"),
# English
("en", "Since when have Busan and Ho Chi Minh City been partners?", [(A,1)], "1995"),
("en", "Which Korean city was the first to set up friendly relations with Ho Chi Minh City?", [(A,1)], "Busan"),
("en", "What training programme does Ho Chi Minh City want Busan to keep?", [(A,4)], "công chức"),
("en", "What are Busan's strengths that its companies could contribute?", [(A,7)], "cảng biển"),
("en", "What did Busan propose about libraries?", [(A,9)], "thư viện"),
("en", "When did General Secretary To Lam meet the mayor of Busan?", [(B,2)], "13-8"),
("en", "Who is the mayor of Busan?", [(B,2),(B,3),(B,4)], "Park Heong-joon"),
("en", "How does Busan rank among the world's port cities?", [(B,5)], "thứ 5"),
("en", "Where was the Vietnamese Consulate General opened?", [(B,6)], "Busan"),
("en", "Which Korean president did To Lam hold talks with?", [(B,7)], "Lee Jae Myung"),
("en", "At which airport was To Lam welcomed?", [(B,9)], "Gimhae"),
("en", "What anniversary of relations between Busan and HCMC was celebrated?", [(B,3),(B,6)], "30 năm"),
("en", "Which industry should Busan help Vietnam develop besides ports?", [(B,8)], "điện ảnh"),
# Korean
("ko", "부산과 호치민시는 언제부터 협력했나요?", [(A,1)], "1995"),
("ko", "부산 시장은 누구입니까?", [(B,2),(B,3),(B,4)], "Park Heong-joon"),
("ko", "베트남 총영사관은 어디에 개설되었나요?", [(B,6)], "Busan"),
# Off-topic: the articles do not hold the answer
("off", "Giá vàng hôm nay bao nhiêu?", [], ""),
("off", "How do I bake bread?", [], ""),
("off", "Thời tiết Hà Nội ngày mai thế nào?", [], ""),
("off", "Who won the 2022 World Cup?", [], ""),
("off", "cach nau pho bo ngon", [], ""),
("off", "What is the price of bitcoin today?", [], ""),
("off", "Công thức làm bánh mì kẹp thịt", [], ""),
("off", "Dân số của thành phố Busan là bao nhiêu người?", [], ""),
("off", "Ai là ca sĩ nổi tiếng nhất Việt Nam?", [], ""),
("off", "ty gia do la my hom nay", [], ""),
# Chat-style, written by hand the way people type in Telegram: no or half diacritics, chat
# abbreviations (ko, dc, j, vs, ntn, tp, hcm, vn, hq, tbt, sg...), typos, keywords only, English
# words mixed in, emoji and stray characters. Not produced by the rewriting code of
# benchmarks/chat_style.py.
("chat", "busan ket nghia voi tp hcm nam nao", [(A,1)], "1995"),
("chat", "Sài Gòn và Busan kết nghĩa năm nào?", [(A,1)], "1995"),
("chat", "busan vs sg ket nghia tu bao gio", [(A,1)], "1995"),
("chat", "tp hcm voi busan quan he tu nam nao vay", [(A,1)], "1995"),
("chat", "Busan là đp đầu tiên của HQ kết nghĩa vs hcm đúng ko?", [(A,1)], "Busan"),
("chat", "2 tp hop tac nhung linh vuc j", [(A,1)], "thương mại"),
("chat", "ai tiep doan busan o tphcm", [(A,1),(A,3),(A,5)], "Nguyễn Thành Phong"),
("chat", "ông Phong nói j về quan hệ vs Busan", [(A,1)], "hình mẫu"),
("chat", "hcm muon busan dao tao gi", [(A,4)], "công chức"),
("chat", "chương trình đào tạo công chưc", [(A,4)], "công chức"),
("chat", "kinh nghiem quan ly cang bien logistics", [(A,4)], "cảng biển"),
("chat", "TP.HCM muốn hợp tác du lich ntn vs Busan", [(A,4),(A,7)], "du lịch"),
("chat", "ong oh keo don noi quan he bao nhieu nam roi", [(A,6)], "23 năm"),
("chat", "sau bao nhiu năm thiết lập quan hệ thì Busan vs HCM thân thiết?", [(A,6)], "23 năm"),
("chat", "busan manh ve linh vuc nao", [(A,7)], "cơ sở hạ tầng"),
("chat", "thế mạnh của busan là gì v", [(A,7)], "cơ sở hạ tầng"),
("chat", "doanh nghiep busan muon j o tphcm", [(A,7)], "doanh nghiệp Busan"),
("chat", "do thi thong minh", [(A,7)], "đô thị thông minh"),
("chat", "hop tac thu vien", [(A,9)], "thư viện"),
("chat", "busan muon hop tac gia cong thuc pham voi hcm ko", [(A,9)], "gia công thực phẩm"),
("chat", "lam sach nguon nuoc", [(A,9)], "nguồn nước"),
("chat", "tbt to lam hoi dam voi tong thong nao", [(B,7)], "Lee Jae Myung"),
("chat", "TBT Tô Lâm đến Busan ngày mấy?", [(B,2)], "13-8"),
("chat", "to lam tham busan ngay nao", [(B,2)], "13-8"),
("chat", "thi truong busan ten gi", [(B,2),(B,3),(B,4),(B,10)], "Park Heong-joon"),
("chat", "Busan mayor là ai vậy?", [(B,2),(B,3),(B,4),(B,10)], "Park Heong-joon"),
("chat", "ai la thi truong tp busan z", [(B,2),(B,3),(B,4),(B,10)], "Park Heong-joon"),
("chat", "TBT đc đón ở sân bay nào", [(B,9)], "Gimhae"),
("chat", "san bay nao don tong bi thu", [(B,9)], "Gimhae"),
("chat", "busan la cang lon thu may the gioi", [(B,5)], "thứ 5"),
("chat", "busan la trung tam kinh te lon thu mấy của HQ", [(B,5)], "thứ hai"),
("chat", "tổng lãnh sự quán vn ở busan", [(B,6),(B,11)], "Tổng Lãnh sự"),
("chat", "le ra mat tong lanh su quan viet nam o dau", [(B,6)], "Busan"),
("chat", "busan o gan vn ko", [(B,6)], "gần Việt Nam nhất"),
("chat", "30 nam quan he hcm busan", [(B,3),(B,6)], "30 năm"),
("chat", "ky niem bao nhieu nam thiet lap quan he 2 tp", [(B,3),(B,6)], "30 năm"),
("chat", "Busan se bao ve quyen loi cua ai", [(B,11)], "công dân Việt Nam"),
("chat", "cong dan vn o busan dc bao ve ko", [(B,11)], "công dân Việt Nam"),
("chat", "TBT đề nghị Busan mở rộng hợp tác vs ai", [(B,1),(B,8)], "các tỉnh/thành phố"),
("chat", "tbt de nghi busan lam gi", [(B,1),(B,8)], "mở rộng hợp tác"),
("chat", "linh vuc uu tien dau tu vao vn la j", [(B,8)], "khoa học công nghệ"),
("chat", "hop tac dien anh", [(B,8)], "điện ảnh"),
("chat", "cang bien thong minh dat o dau", [(B,8)], "khu kinh tế ven biển"),
("chat", "busan muon thanh trung tam gi", [(B,4)], "trung tâm hành chính toàn cầu"),
("chat", "thi truong park cam ket gi", [(B,10)], "phối hợp chặt chẽ"),
("chat", "Park Heong-joon cam on ai", [(B,3)], "Tổng Bí thư Tô Lâm"),
("chat", "chuyen tham cap nha nuoc dau tien toi han quoc cua tbt", [(B,3)], "chuyến thăm cấp Nhà nước"),
("chat", "hội đàm cấp cao với tt Hàn Quốc đạt đc j", [(B,7)], "hợp tác địa phương"),
("chat", "Busan va hcm ky thoa thuan j chua", [(A,3)], "ký thỏa thuận"),
("chat", "các sở ngành 2 tp cần làm gì", [(A,3)], "đẩy mạnh hoạt động kết nối"),
("chat", "Busan kết nghĩa vs TP.HCM từ năm nàoo ??", [(A,1)], "1995"),
("chat", "busan ket nghia voi tphcm nam nao 😊", [(A,1)], "1995"),
("chat", "Busan kết nghĩa\u200b với TP.HCM năm nào?", [(A,1)], "1995"),
("chat", "1. Busan kết nghĩa với TP.HCM năm nào? 2", [(A,1)], "1995"),
("chat", "busan ket ngiha voi tphcm nam nao", [(A,1)], "1995"),
("chat", "thi truong busna ten gi", [(B,2),(B,3),(B,4),(B,10)], "Park Heong-joon"),
("chat", "Tong Bi thu Tô Lâm hội đàm vs tổng thống nào", [(B,7)], "Lee Jae Myung"),
("chat", "what year did busan and hcmc become sister cities", [(A,1)], "1995"),
("chat", "who is busan mayor", [(B,2),(B,3),(B,4),(B,10)], "Park Heong-joon"),
("chat", "Busan port rank thế giới", [(B,5)], "thứ 5"),
("chat", "vn co lanh su quan o busan chua", [(B,6),(B,11)], "Tổng Lãnh sự"),
("chat", "busan hop tac voi hcm ve giao duc ko", [(A,1)], "giáo dục"),
("chat", "phu nhan tbt co di busan ko", [(B,3),(B,9)], "Phu nhân"),
("chat", "đoàn đại biểu cấp cao vn đc đón tiếp ntn", [(B,5)], "trọng thị"),
("chat", "busan co hieu khach ko", [(B,5)], "hiếu khách"),
("chat", "HQ và VN ủng hộ hợp tác địa phương ko", [(B,7)], "hợp tác địa phương"),
("chat", "thoi co chien luoc la gi", [(B,8)], "thời cơ chiến lược"),
# Near the domain but not answered by the articles: about Busan, Ho Chi Minh City, Korea and
# Vietnam, with the city, the attribute or the date swapped.
("near", "Busan có bao nhiêu dân?", [], ""),
("near", "Đà Nẵng kết nghĩa với thành phố nào của Hàn Quốc?", [], ""),
("near", "busan ket nghia voi ha noi nam nao", [], ""),
("near", "dan so tp hcm la bao nhieu", [], ""),
("near", "thi truong busan nam 2010 la ai", [], ""),
("near", "Seoul kết nghĩa với TP.HCM năm nào?", [], ""),
("near", "Incheon hợp tác với TP.HCM trong lĩnh vực gì?", [], ""),
("near", "tbt to lam sinh nam nao", [], ""),
("near", "Busan có mấy trường đại học?", [], ""),
("near", "GDP của Busan là bao nhiêu?", [], ""),
("near", "chuyen bay tu tphcm di busan mat bao lau", [], ""),
("near", "thời tiết ở Busan tháng 8 thế nào", [], ""),
("near", "Tổng thống Lee Jae Myung sinh năm nào?", [], ""),
("near", "lãnh sự quán Hàn Quốc ở TP.HCM nằm ở đâu", [], ""),
("near", "Busan có đội bóng chày nào?", [], ""),
("near", "vé máy bay đi Busan bao nhiêu tiền", [], ""),
("near", "Nguyễn Thành Phong sinh năm nào", [], ""),
("near", "busan ky thoa thuan voi hai phong chua", [], ""),
("near", "Cảng Busan có bao nhiêu cầu cảng?", [], ""),
("near", "Hàn Quốc có bao nhiêu tỉnh thành?", [], ""),
("near", "ai là chủ tịch UBND TP.HCM năm 2025", [], ""),
("near", "busan film festival to chuc thang may", [], ""),
("near", "Park Heong-joon làm thị trưởng từ năm nào?", [], ""),
("near", "Samsung đầu tư bao nhiêu vào TP.HCM?", [], ""),
("near", "Tô Lâm gặp thủ tướng Nhật ở đâu", [], ""),
("near", "kim ngach thuong mai viet han nam 2024", [], ""),
("near", "Busan cách Seoul bao xa?", [], ""),
("near", "cong dan vn o busan co bao nhieu nguoi", [], ""),
# More off-topic
("off", "hom nay troi mua ko", [], ""),
("off", "Giá Bitcoin hôm nay?", [], ""),
("off", "viết giùm mình bài thơ về mùa thu", [], ""),
("off", "what's the capital of australia", [], ""),
("off", "lịch thi đấu World Cup 2026", [], ""),
("off", "cach lam banh flan", [], ""),
]


def main() -> None:
    ids = {(p.article, p.paragraph): p.id for a in load_corpus(Path("seeds")) for p in a.passages}
    with open("eval/seed_questions.jsonl", "w") as fh:
        for i, (kind, q, gold, ans) in enumerate(Q):
            row = {"id": f"seed-{i+1:03d}", "question": q, "kind": "" if kind == "off" else kind,
                   "gold_passage_ids": [ids[g] for g in gold], "gold_refs": [f"{a}#{p}" for a, p in gold],
                   "answer": ans, "split": "dev" if i % 2 == 0 else "test"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(Q)} questions to eval/seed_questions.jsonl")


if __name__ == "__main__":
    main()
