"""Words every stemmer must leave whole: places, names and words their rules mangle.

The list is ``index/data/protected.txt``. Each entry is there because a stemmer got it wrong
on real news (menteri -> teri, pemilu -> ilu, bekasi -> bekas, bali -> bal, relawan -> rawan,
kemayoran -> mayor, terawan -> awan), plus places and people whose names look like affixed
words. Capitalised words inside a sentence are protected as names at indexing time as well
(see ``index.analysis``).
"""

from berita_search.index.wordlists import read_words

PROTECTED: frozenset[str] = read_words("protected.txt")
