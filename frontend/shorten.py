"""Shorter local names in minified JavaScript: the part of a minifier rjsmin leaves out.

    shorten(code, exclude=...) -> code

Only what is provably a variable of ours is renamed: an identifier declared in the code
(`var`, `function`, a parameter, an arrow's parameter) that is never also read as a
property (`x.name`) nor written as an object key (`{name: ...}`) anywhere, and is not in
`exclude`. Every occurrence of such a name gets the same new name, which occurs nowhere
in the code, so scopes need no analysis. Strings, regular expressions and comments are
left as they are. Shorthand properties (`{name}`), template literals and `with` are
refused (they would make a rename change meaning): the build fails and says where.
"""
from __future__ import annotations

import re
import string
from collections import Counter

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
  | (?P<template>`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<number>\d[\w.]*)
  | (?P<punct>=>|===|!==|==|!=|<=|>=|&&|\|\||\+\+|--|[-+*%&|^!~?:=<>;,.(){}\[\]/])
""", re.VERBOSE | re.DOTALL)
_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[a-z]*")
# After these a slash starts a regular expression, not a division.
_BEFORE_REGEX = set("(,=:[!&|?{};") | {"return", "typeof", "&&", "||", "=>", "===", "!==", "==", "!="}
_KEYWORDS = frozenset([
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
    "export", "extends", "finally", "for", "function", "if", "import", "in", "instanceof", "let", "new", "return",
    "super", "switch", "this", "throw", "try", "typeof", "var", "void", "while", "with", "yield", "async",
    "await", "of", "null", "true", "false", "undefined", "NaN", "Infinity", "arguments"
])


class ShortenError(ValueError):
    pass


def tokens(code: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    at, last = 0, ""
    while at < len(code):
        if code[at] == "/" and (last in _BEFORE_REGEX or not last) and not code.startswith(("//", "/*"), at):
            found = _REGEX.match(code, at)
            if not found:
                raise ShortenError(f"unreadable regular expression at {at}: {code[at:at + 30]!r}")
            out.append(("regex", found.group()))
            at, last = found.end(), "regex"
            continue
        found = _TOKEN.match(code, at)
        if not found:
            raise ShortenError(f"unreadable code at {at}: {code[at:at + 30]!r}")
        kind, text = found.lastgroup, found.group()
        if kind == "template":
            raise ShortenError("template literals are not supported by the shortener")
        if kind == "name" and text == "with":
            raise ShortenError("`with` is not supported by the shortener")
        out.append((kind, text))
        if kind not in ("space", "comment"):
            last = text if kind == "punct" or text in _BEFORE_REGEX else kind
        at = found.end()
    return out


def _significant(toks):
    return [(i, kind, text) for i, (kind, text) in enumerate(toks) if kind not in ("space", "comment")]


def _new_names(taken: set[str]):
    letters = string.ascii_letters
    for first in "$" + letters:
        for second in "$" + letters + string.digits:
            name = first + second
            if name not in taken and name not in _KEYWORDS:
                yield name


def shorten(code: str, exclude: frozenset[str] = frozenset()) -> str:
    toks = tokens(code)
    sig = _significant(toks)
    names = Counter(text for _, kind, text in sig if kind == "name")
    declared, properties = set(), set()
    braces: list[str] = []   # "object" or "block", innermost last
    for n, (_, kind, text) in enumerate(sig):
        before = sig[n - 1][2] if n else ""
        after = sig[n + 1][2] if n + 1 < len(sig) else ""
        if kind == "punct" and text == "{":
            braces.append("object" if before in ("(", ",", "=", ":", "[", "?", "return", "||", "&&") else "block")
        elif kind == "punct" and text == "}" and braces:
            braces.pop()
        if kind != "name" or text in _KEYWORDS:
            continue
        if before == "." or after == ":" and before in ("{", ","):
            properties.add(text)
        elif braces and braces[-1] == "object" and before in ("{", ",") and after in (",", "}"):
            raise ShortenError(f"shorthand property {{{text}}}: write {text}: {text}")
        if before in ("var", "function", "let", "const") or after == "=>":
            declared.add(text)
    # Parameters: the names between a function's parentheses, or an arrow's; and every
    # name of a `var` list (at its own nesting depth, up to its `;`).
    for n, (_, _kind, text) in enumerate(sig):
        if text in ("var", "let", "const"):
            depth, m = 0, n + 1
            while m < len(sig) and not (depth == 0 and sig[m][2] == ";"):
                t = sig[m][2]
                if t in ("(", "[", "{"):
                    depth += 1
                elif t in (")", "]", "}"):
                    depth -= 1
                    if depth < 0:
                        break
                elif depth == 0 and sig[m][1] == "name" and sig[m - 1][2] in (",", text):
                    declared.add(t)
                m += 1
        if text == "function":
            m = n + 1
            while m < len(sig) and sig[m][2] != "(":
                m += 1
            m += 1
            while m < len(sig) and sig[m][2] != ")":
                if sig[m][1] == "name":
                    declared.add(sig[m][2])
                m += 1
        if text == "=>" and sig[n - 1][2] == ")":
            m = n - 2
            while m >= 0 and sig[m][2] != "(":
                if sig[m][1] == "name":
                    declared.add(sig[m][2])
                m -= 1
    # Ties broken by the name: a set's order changes with each process's hash seed, and the
    # build must give the same bytes (the same hashed file name, the same size) every time.
    chosen = sorted((declared - properties - exclude - _KEYWORDS), key=lambda name: (-names[name] * len(name), name))
    fresh = _new_names(set(names))
    renames = {old: new for old in chosen if len(old) > 2 for new in [next(fresh)]}
    out, prev = [], ""
    for kind, text in toks:
        if kind == "name" and text in renames and prev != ".":
            text = renames[text]
        if kind not in ("space", "comment"):
            prev = text
        out.append(text)
    return "".join(out)
