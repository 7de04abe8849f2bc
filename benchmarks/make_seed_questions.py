"""Writes eval/seed_questions.jsonl: our hand-written questions with gold paragraphs (article, number).

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
]
ids = {(p.article, p.paragraph): p.id for a in load_corpus(Path("seeds")) for p in a.passages}
with open("eval/seed_questions.jsonl", "w") as fh:
    for i, (kind, q, gold, ans) in enumerate(Q):
        row = {"id": f"seed-{i+1:03d}", "question": q, "kind": "" if kind == "off" else kind,
               "gold_passage_ids": [ids[g] for g in gold], "gold_refs": [f"{a}#{p}" for a, p in gold],
               "answer": ans, "split": "dev" if i % 2 == 0 else "test"}
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
print(len(Q))
