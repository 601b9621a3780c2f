"""Indonesian function words: dropped from keyword queries and the stemmed field.

A deliberately short list. Longer published lists (Tala's, Sastrawi's) also drop content
words that journalists search for, such as 'kasus', 'masalah', 'bulan' and 'ibu'.
"""

STOPWORDS: frozenset[str] = frozenset(
    ["ada", "adalah", "agar", "akan", "akankah", "aku", "anda", "antara", "apa", "apabila", "apakah", "atas", "atau", "ataupun", "bagai", "bagaikan", "bagi", "bahkan", "bahwa", "bahwasanya", "beberapa", "begini", "begitu", "belum", "bila", "boleh", "bukan", "bukankah", "dalam", "dan", "dapat", "dari", "daripada", "demi", "demikian", "dengan", "di", "dia", "dialah", "diri", "dirinya", "ia", "ialah", "ini", "inilah", "itu", "itulah", "jika", "jikalau", "juga", "kalau", "kalian", "kami", "kamu", "karena", "ke", "kepada", "kita", "lah", "lalu", "maka", "masih", "maupun", "melainkan", "meski", "meskipun", "mereka", "namun", "nya", "oleh", "pada", "padahal", "para", "pun", "saja", "sambil", "sang", "sangat", "saya", "se", "sebagai", "sebelum", "sedang", "sedangkan", "sehingga", "sejak", "selagi", "selain", "sementara", "semua", "serta", "seperti", "setelah", "si", "sudah", "supaya", "tapi", "telah", "tentang", "terhadap", "tersebut", "tetapi", "tidak", "toh", "untuk", "walau", "walaupun", "yaitu", "yakni", "yang"]
)
