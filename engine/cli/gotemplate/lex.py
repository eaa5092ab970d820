"""The template lexer: Go's text/template/parse/lex.go, item for item (docker --format text → items)."""
from __future__ import annotations

import unicodedata
from typing import NamedTuple

from engine.cli.formatter.display import quote_go


KEYWORDS = {".": "DOT", "block": "BLOCK", "break": "BREAK", "continue": "CONTINUE", "define": "DEFINE",
            "else": "ELSE", "end": "END", "if": "IF", "range": "RANGE", "nil": "NIL",
            "template": "TEMPLATE", "with": "WITH"}
_KEYWORD_TYPES = set(KEYWORDS.values())
_SPACE = " \t\r\n"
_EOF = ""


class Item(NamedTuple):
    typ: str
    pos: int
    val: str
    line: int

    def __str__(self):  # item.String()
        if self.typ == "EOF":
            return "EOF"
        if self.typ == "ERROR":
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return quote_go(self.val[:10]) + "..."
        return quote_go(self.val)


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _rune_u(ch: str) -> str:  # Go's %#U
    text = "U+%04X" % ord(ch)
    return text + f" '{ch}'" if unicodedata.category(ch)[0] in "LMNPS" or ch == " " else text


class Lexer:
    def __init__(self, text: str):
        self.text, self.pos, self.start = text, 0, 0
        self.line = self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []

    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- helpers
    def next(self) -> str:
        if self.pos >= len(self.text):
            self.pos += 1  # remember we stepped past the end, so backup() stays symmetric
            return _EOF
        ch = self.text[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def backup(self):
        self.pos -= 1
        if self.pos < len(self.text) and self.text[self.pos] == "\n":
            self.line -= 1

    def peek(self) -> str:
        ch = self.next()
        self.backup()
        return ch

    def emit(self, typ: str):
        self.items.append(Item(typ, self.start, self.text[self.start:self.pos], self.start_line))
        self.start, self.start_line = self.pos, self.line

    def ignore(self):
        self.line += self.text.count("\n", self.start, self.pos)
        self.start, self.start_line = self.pos, self.line

    def error(self, message: str):
        self.items.append(Item("ERROR", self.start, message, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        rest = self.text[self.pos:]
        if len(rest) >= 2 and rest[0] in _SPACE and rest[1] == "-" and rest[2:].startswith("}}"):
            return True, True
        return rest.startswith("}}"), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch in _SPACE and ch != _EOF or ch in (_EOF, ".", ",", "|", ":", ")", "(") or \
            self.text.startswith("}}", self.pos)

    # -- states
    def lex_text(self):
        x = self.text.find("{{", self.pos)
        if x < 0:
            self.pos = len(self.text)
            if self.pos > self.start:
                self.line += self.text.count("\n", self.start, self.pos)
                self.emit("TEXT")
            self.emit("EOF")
            return None
        if x > self.pos:
            self.pos = x
            after = self.text[x + 2:]
            trim = 0
            if len(after) >= 2 and after[0] == "-" and after[1] in _SPACE:
                segment = self.text[self.start:self.pos]
                trim = len(segment) - len(segment.rstrip(_SPACE))
            self.pos -= trim
            self.line += self.text.count("\n", self.start, self.pos)
            if self.pos > self.start:
                self.emit("TEXT")
            self.pos += trim
            self.ignore()
        return self.lex_left_delim

    def lex_left_delim(self):
        self.pos += 2
        rest = self.text[self.pos:]
        marker = 2 if len(rest) >= 2 and rest[0] == "-" and rest[1] in _SPACE else 0
        if self.text.startswith("/*", self.pos + marker):
            self.pos += marker
            self.ignore()
            return self.lex_comment
        self.emit("LEFT_DELIM")
        self.pos += marker
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):
        self.pos += 2
        x = self.text.find("*/", self.pos)
        if x < 0:
            return self.error("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        self.pos += (2 if trim else 0) + 2
        if trim:
            rest = self.text[self.pos:]
            self.pos += len(rest) - len(rest.lstrip(_SPACE))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit("RIGHT_DELIM")
        if trim:
            rest = self.text[self.pos:]
            self.pos += len(rest) - len(rest.lstrip(_SPACE))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self):
        delim, _ = self.at_right_delim()
        if delim:
            return self.lex_right_delim if self.paren_depth == 0 else self.error("unclosed left paren")
        ch = self.next()
        if ch == _EOF:
            return self.error("unclosed action")
        if ch in _SPACE:
            self.backup()
            return self.lex_space
        simple = {"=": "ASSIGN", "|": "PIPE"}
        if ch in simple:
            self.emit(simple[ch])
        elif ch == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit("DECLARE")
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.pos < len(self.text) and not "0" <= self.text[self.pos] <= "9":
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.backup()
            return self.lex_number
        elif _is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.paren_depth += 1
            self.emit("LEFT_PAREN")
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error("unexpected right paren")
            self.emit("RIGHT_PAREN")
        elif ord(ch) < 0x7F and ch.isprintable():
            self.emit("CHAR")
        else:
            return self.error("unrecognized character in action: " + _rune_u(ch))
        return self.lex_inside_action

    def lex_space(self):
        count = 0
        while self.peek() in _SPACE and self.peek() != _EOF:
            self.next()
            count += 1
        rest = self.text[self.pos - 1:]
        if len(rest) >= 2 and rest[0] in _SPACE and rest[1] == "-" and rest[2:].startswith("}}"):
            self.backup()
            if count == 1:
                return self.lex_right_delim
        self.emit("SPACE")
        return self.lex_inside_action

    def lex_identifier(self):
        while _is_alnum(self.next()):
            pass
        self.backup()
        word = self.text[self.start:self.pos]
        if not self.at_terminator():
            return self.error("bad character " + _rune_u(self.peek()))
        if word in KEYWORDS and word != ".":
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit("BOOL")
        else:
            self.emit("IDENTIFIER")
        return self.lex_inside_action

    def lex_field(self):
        return self.lex_field_or_variable("FIELD")

    def lex_variable(self):
        if self.at_terminator():
            self.emit("VARIABLE")
            return self.lex_inside_action
        return self.lex_field_or_variable("VARIABLE")

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():
            self.emit("VARIABLE" if typ == "VARIABLE" else "DOT")
            return self.lex_inside_action
        while _is_alnum(self.next()):
            pass
        self.backup()
        if not self.at_terminator():
            return self.error("bad character " + _rune_u(self.peek()))
        self.emit(typ)
        return self.lex_inside_action

    def _lex_quoted(self, quote: str, typ: str, message: str):
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in (_EOF, "\n"):
                    continue
            if ch in (_EOF, "\n"):
                return self.error(message)
            if ch == quote:
                break
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self):
        return self._lex_quoted("'", "CHAR_CONSTANT", "unterminated character constant")

    def lex_quote(self):
        return self._lex_quoted('"', "STRING", "unterminated quoted string")

    def lex_raw_quote(self):
        end = self.text.find("`", self.pos)
        if end < 0:
            return self.error("unterminated raw quoted string")
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end + 1
        self.emit("RAW_STRING")
        return self.lex_inside_action

    def lex_number(self):
        if not self.scan_number():
            return self.error("bad number syntax: " + quote_go(self.text[self.start:self.pos]))
        if self.peek() in ("+", "-") and self.peek() != _EOF:
            return self.error("complex numbers are not supported")
        self.emit("NUMBER")
        return self.lex_inside_action

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch != _EOF and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str):
        while self.accept(valid):
            pass

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()) and self.peek() != _EOF:
            self.next()
            return False
        return True
