"""RFC 3797 selection: the RFC's fully worked example (section 6), parsing, bounds, determinism."""
import itertools

import pytest

from generator.draw.rfc3797 import (
    MAX_POOL, Rfc3797Error, digest, format_selection, key_string, parse_pool, parse_sources,
    select)

# RFC 3797 section 6: the 25 published volunteers, in published order.
RFC_POOL_TEXT = """\
John
Mary
Bashful
Dopey
Sleepy
Grouchy
Doc
Sneazy
Handsome
Cassandra
Pollyanna
Pendragon
Pandora
Faith
Hope
Charity
Lee
Longsuffering
Chastity
Smith
Pride
Sloth
Envy
Anger
Kasczynski
"""
# The example's sources: a daily number (one value) and two lotteries, the first reported in
# draw order, which the key must sort.
RFC_SOURCES_TEXT = """\
# RFC 3797 section 6
9319
2 5 12 8 10
9 18 26 34 41 45
"""
RFC_KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"
# The section 6 table: MD5 value, divisor (entries remaining) and selected pool index per row.
RFC_TABLE = [
    ("990DD0A5692A029A98B5E01AA28F3459", 25, 17),
    ("3691E55CB63FCC37914430B2F70B5EC6", 24, 7),
    ("FE814EDF564C190AC1D25753979990FA", 23, 2),
    ("1863CCACEB568C31D7DDBDF1D4E91387", 22, 16),
    ("F4AB33DF4889F0AF29C513905BE1D758", 21, 25),
    ("13EAEB529F61ACFB9A29D0BA3A60DE4A", 20, 23),
    ("992DB77C382CA2BDB9727001F3CDCCD9", 19, 8),
    ("63AB4258ECA922976811C7F55C383CE7", 18, 24),
    ("DFBC5AC97CED01B3A6E348E3CC63F40D", 17, 19),
    ("31CB111C4A4EBE9287CEAE16FE51B909", 16, 13),
    ("07FA46C122F164C215BBC72793B189A3", 15, 22),
    ("AC52F8D75CCBE2E61AFEB3387637D501", 14, 5),
    ("53306F73E14FC0B2FBF434218D25948E", 13, 18),
    ("B5D1403501A81F9A47318BE7893B347C", 12, 9),
    ("85B10B356AA06663EF1B1B407765100A", 11, 1),
    ("3269E6CE559ABD57E2BA6AAB495EB9BD", 10, 4),
]
# The RFC's "first ten selected, in order", and the next in line.
RFC_FIRST_TEN = ["Lee", "Doc", "Mary", "Charity", "Kasczynski",
                 "Envy", "Sneazy", "Anger", "Chastity", "Pandora"]
RFC_NEXT = "Sloth"


def rfc_pool():
    return parse_pool(RFC_POOL_TEXT)


def rfc_sources():
    return parse_sources(RFC_SOURCES_TEXT)


# --- the RFC's fully worked example ---------------------------------------------------------

def test_rfc_example_inputs_parse():
    pool = rfc_pool()
    assert len(pool) == 25 and pool[0] == "John" and pool[24] == "Kasczynski"
    assert rfc_sources() == [[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]


def test_rfc_example_key_string():
    assert key_string(rfc_sources()) == RFC_KEY


def test_rfc_example_md5_values():
    for i, (hex_value, _, _) in enumerate(RFC_TABLE):
        assert digest(RFC_KEY, i).hex().upper() == hex_value, f"row {i + 1}"


def test_rfc_example_divisor_and_remainder():
    """Each row's pick is the digest, as a big-endian integer, modulo the entries remaining."""
    remaining = list(range(1, 26))
    for i, (hex_value, div, selected) in enumerate(RFC_TABLE):
        assert len(remaining) == div
        assert remaining.pop(int(hex_value, 16) % div) == selected, f"row {i + 1}"


def test_rfc_example_selection():
    rows = select(rfc_pool(), rfc_sources(), len(RFC_TABLE))
    assert [r[0] for r in rows] == list(range(1, 17))
    assert [r[1] for r in rows] == [selected for _, _, selected in RFC_TABLE]
    assert [r[1] for r in rows] == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22, 5, 18, 9, 1, 4]
    assert [r[2] for r in rows[:10]] == RFC_FIRST_TEN
    assert rows[10][2] == RFC_NEXT
    pool = rfc_pool()
    assert all(pool[index - 1] == name for _, index, name in rows)


def test_rfc_example_ten_is_a_prefix_of_the_full_ordering():
    ten = select(rfc_pool(), rfc_sources(), 10)
    full = select(rfc_pool(), rfc_sources())
    assert full[:10] == ten
    assert len(full) == 25
    assert sorted(r[1] for r in full) == list(range(1, 26))


def test_format_selection():
    rows = select(rfc_pool(), rfc_sources(), 3)
    assert format_selection(rows) == "1\t17\tLee\n2\t7\tDoc\n3\t2\tMary\n"
    assert format_selection([]) == ""


def test_format_selection_rejects_names_that_break_lines():
    with pytest.raises(Rfc3797Error):
        format_selection([(1, 1, "a\tb")])
    with pytest.raises(Rfc3797Error):
        format_selection([(1, 1, "a\nb")])


# --- sorting within a source ------------------------------------------------------------------

def test_order_within_a_source_does_not_matter():
    expected = select(rfc_pool(), rfc_sources())
    for perm in itertools.islice(itertools.permutations([2, 5, 12, 8, 10]), 0, None, 17):
        line = ", ".join(str(v) for v in perm)
        text = f"9319\n{line}\n45 41 34 26 18 9\n"
        assert key_string(parse_sources(text)) == RFC_KEY
        assert select(rfc_pool(), parse_sources(text)) == expected


def test_order_of_sources_does_matter():
    reordered = "2 5 12 8 10\n9319\n9 18 26 34 41 45\n"
    assert key_string(parse_sources(reordered)) == "2.5.8.10.12./9319./9.18.26.34.41.45./"
    assert select(rfc_pool(), parse_sources(reordered)) != select(rfc_pool(), rfc_sources())


def test_sorting_is_numeric_and_keeps_duplicates():
    assert key_string([[10, 9, 100, 9]]) == "9.9.10.100./"
    assert key_string([[0], [7]]) == "0./7./"


def test_key_string_does_not_mutate_its_input():
    sources = [[3, 1, 2]]
    key_string(sources)
    assert sources == [[3, 1, 2]]


def test_key_string_rejects_bad_sources():
    for bad in ([], [[]], [[1], []], [[-1]], [[1.5]], [["7"]], [[True]]):
        with pytest.raises(Rfc3797Error):
            key_string(bad)


# --- parsing ----------------------------------------------------------------------------------

def test_parse_pool():
    text = "\ufeff  Alice \r\n\n\t\nBob\r\n  \n张 三\u3000\nAlice\n"
    assert parse_pool(text) == ["Alice", "Bob", "张 三", "Alice"]
    assert parse_pool("") == []
    assert parse_pool("\n \n") == []


def test_parse_sources_separators_comments_and_blanks():
    text = ("\ufeff# lottery of 2024-01-01\n"
            "\n"
            "   # indented comment\n"
            "1, 2,3\t4  5\r\n"
            "  007 ,\n"
            "\n"
            "0\n")
    assert parse_sources(text) == [[1, 2, 3, 4, 5], [7], [0]]
    assert parse_sources("") == []
    assert parse_sources("# only a comment\n\n") == []


@pytest.mark.parametrize("text, line, token", [
    ("1 2 x\n", 1, "x"),
    ("# c\n\n1 2\n3 -4\n", 4, "-4"),
    ("1\n\n\n1.5\n", 4, "1.5"),
    ("+3\n", 1, "+3"),
    ("1 2 # trailing comment\n", 1, "#"),
    ("\ufeff12\n\u0663\n", 2, "\u0663"),
    ("1\r\n\r\n2;3\r\n", 3, "2;3"),
])
def test_parse_sources_bad_token_names_its_line(text, line, token):
    with pytest.raises(Rfc3797Error) as err:
        parse_sources(text)
    message = str(err.value)
    assert message.startswith(f"line {line}: ")
    assert repr(token) in message


def test_parse_sources_absurdly_long_number_names_its_line():
    with pytest.raises(Rfc3797Error, match=r"^line 2: "):
        parse_sources("1\n" + "9" * 5000 + "\n")


def test_parse_sources_line_of_only_separators_is_an_error():
    with pytest.raises(Rfc3797Error, match=r"^line 2: "):
        parse_sources("1\n , ,\n")


# --- bounds -----------------------------------------------------------------------------------

def test_count_bounds():
    pool, sources = rfc_pool(), rfc_sources()
    assert select(pool, sources, 0) == []
    assert len(select(pool, sources, 25)) == 25
    assert select(pool, sources, 25) == select(pool, sources)
    for bad in (-1, 26, True, 2.0):
        with pytest.raises(Rfc3797Error):
            select(pool, sources, bad)


def test_empty_pool_and_no_sources():
    with pytest.raises(Rfc3797Error):
        select([], rfc_sources())
    with pytest.raises(Rfc3797Error):
        select([], rfc_sources(), 0)
    with pytest.raises(Rfc3797Error):
        select(rfc_pool(), [])
    with pytest.raises(Rfc3797Error):
        select(rfc_pool(), [[1], []])


def test_pool_size_limit():
    assert MAX_POOL == 65536
    largest = [f"v{i}" for i in range(1, MAX_POOL + 1)]
    rows = select(largest, rfc_sources(), 1)
    assert rows == [(1, rows[0][1], f"v{rows[0][1]}")]
    with pytest.raises(Rfc3797Error):
        select(largest + ["one too many"], rfc_sources(), 1)


def test_last_two_byte_index_is_usable():
    assert len(digest(RFC_KEY, MAX_POOL - 1)) == 16
    with pytest.raises(Rfc3797Error):
        digest(RFC_KEY, MAX_POOL)
    with pytest.raises(Rfc3797Error):
        digest(RFC_KEY, -1)


def test_single_entry_pool():
    assert select(["only"], [[1]]) == [(1, 1, "only")]


# --- determinism ------------------------------------------------------------------------------

def test_deterministic_and_input_unchanged():
    pool, sources = rfc_pool(), rfc_sources()
    first = select(pool, sources)
    assert select(list(pool), [list(s) for s in sources]) == first
    assert pool == rfc_pool() and sources == rfc_sources()


def test_different_sources_give_a_different_ordering():
    pool = [f"v{i}" for i in range(1, 101)]
    assert select(pool, [[1, 2, 3]]) != select(pool, [[1, 2, 4]])


def test_duplicate_names_are_kept_apart_by_index():
    rows = select(["A", "A", "B"], [[5]])
    assert sorted(r[1] for r in rows) == [1, 2, 3]
    assert sorted(r[2] for r in rows) == ["A", "A", "B"]
