from ringback.tracking.codes import code_prompt, extension_label, payload_of, read_code, shown_code


def every_slip(code):
    """Each single wrong digit and each swap of two adjacent different digits."""
    for at, digit in enumerate(code):
        for other in "0123456789":
            if other != digit:
                yield code[:at] + other + code[at + 1:]
    for at in range(len(code) - 1):
        if code[at] != code[at + 1]:
            yield code[:at] + code[at + 1] + code[at] + code[at + 2:]


def test_every_shown_code_reads_back_as_its_payload():
    for payload in range(1000):
        assert read_code(shown_code(f"{payload:03d}")) == f"{payload:03d}"


def test_a_code_with_a_wrong_check_digit_or_a_swapped_pair_never_matches():
    for payload in range(1000):
        for slip in every_slip(shown_code(f"{payload:03d}")):
            assert read_code(slip) is None, slip


def test_skipped_short_long_and_non_digit_codes_are_no_code():
    for keyed in (None, "", "123", "12345", "12a4", "*#12"):
        assert read_code(keyed) is None


def test_consecutive_leases_of_a_number_get_distinct_codes_for_a_thousand_leases():
    assert len({payload_of(n) for n in range(1, 1001)}) == 1000
    assert payload_of(1) == payload_of(1001)


def test_the_label_and_the_prompt_are_in_the_site_language_with_english_otherwise():
    assert (extension_label("ru"), extension_label("de-DE"), extension_label("xx")) == ("доб.", "Durchwahl", "ext.")
    prompt, voice = code_prompt("ru")
    assert voice == "ru-RU" and "код" in prompt
    assert code_prompt(None) == code_prompt("zz") and "hash" in code_prompt(None)[0]
