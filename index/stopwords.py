"""Indonesian function words: dropped from keyword queries and the stemmed field.

The list is ``index/data/stopwords.txt``. A deliberately short list: longer published lists
(Tala's, Sastrawi's) also drop content words that journalists search for, such as 'kasus',
'masalah', 'bulan' and 'ibu'.
"""

from berita_search.index.wordlists import read_words

STOPWORDS: frozenset[str] = read_words("stopwords.txt")
