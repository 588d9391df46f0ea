"""Parse a multipart/form-data request body (the job of ``cgi.FieldStorage``, gone in Python 3.13)."""

from __future__ import annotations

import email.policy
from typing import Dict, NamedTuple, Union

_HEADERS = email.policy.HTTP


class UploadedFile(NamedTuple):
    """A form part sent with a filename."""

    filename: str
    data: bytes


def parse_form(content_type: str, body: bytes) -> Dict[str, Union[str, UploadedFile]]:
    """The fields of a multipart/form-data ``body``: text, or :class:`UploadedFile` for file parts.

    Raise ValueError if ``content_type`` is not multipart/form-data or the body is malformed.
    """
    delimiter = b"\r\n--" + _boundary(content_type).encode("latin-1")
    # The CRLF before each delimiter belongs to the delimiter, so the first one needs a CRLF too.
    sections = (b"\r\n" + body).split(delimiter)
    if len(sections) < 3 or not sections[-1].startswith(b"--"):
        raise ValueError("the multipart body has no parts or no closing boundary")
    fields = {}
    for section in sections[1:-1]:
        head, found, data = section.partition(b"\r\n\r\n")
        if not found:
            raise ValueError("a multipart part has no blank line after its headers")
        name, filename = _disposition(head.strip().decode("utf-8", "replace"))
        fields[name] = data.decode("utf-8", "replace") if filename is None else UploadedFile(filename, data)
    return fields


def _boundary(content_type: str) -> str:
    header = _HEADERS.header_factory("Content-Type", content_type)
    boundary = header.params.get("boundary")
    if header.content_type != "multipart/form-data" or not boundary:
        raise ValueError("the body is not multipart/form-data with a boundary")
    return boundary


def _disposition(head: str):
    headers = email.message_from_string(head + "\r\n\r\n", policy=_HEADERS)
    disposition = headers["Content-Disposition"]
    if disposition is None or not disposition.params.get("name"):
        raise ValueError("a multipart part has no Content-Disposition name")
    return disposition.params["name"], disposition.params.get("filename")
