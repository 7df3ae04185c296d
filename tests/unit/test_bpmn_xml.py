"""Hardened XML parsing (bpmn.xml): hostile documents are refused before they can act."""

from __future__ import annotations

import pytest
from lxml import etree

from bpmn.errors import XmlError
from bpmn.xml import (
    BPMN_NS,
    CAMUNDA_DMN_NS,
    CAMUNDA_NS,
    OPERATON_NS,
    normalize_namespaces,
    parse_xml,
)

SIMPLE = (f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d"><bpmn:process id="p" '
          'isExecutable="true"/></bpmn:definitions>')


def test_parses_bytes_and_text() -> None:
    root = parse_xml(SIMPLE.encode())
    assert root.tag == f"{{{BPMN_NS}}}definitions"
    assert parse_xml(SIMPLE)[0].get("id") == "p"


def test_text_with_an_encoding_declaration() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>Grüße</r>'
    assert parse_xml(text).text == "Grüße"


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/evil">]><r>&x;</r>',
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><r/>',
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
    b'<!DOCTYPE r PUBLIC "-//x//y" "file:///etc/passwd"><r/>',
    b"<!DOCTYPE r><r/>",
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;'
    b'&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    b"<lolz>&lol4;</lolz>",
])
def test_any_doctype_is_refused_before_parsing(document: bytes) -> None:
    with pytest.raises(XmlError, match="DOCTYPE declarations are not allowed") as info:
        parse_xml(document)
    assert info.value.line == 1


def test_doctype_line_is_reported() -> None:
    with pytest.raises(XmlError) as info:
        parse_xml(b'<?xml version="1.0"?>\n\n<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')
    assert info.value.line == 3


def test_doctype_hidden_in_utf16_is_refused_after_parsing() -> None:
    document = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    with pytest.raises(XmlError, match="DOCTYPE declarations are not allowed"):
        parse_xml(document.encode("utf-16"))


def test_xinclude_is_not_processed() -> None:
    root = parse_xml(b'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
                     b'<xi:include href="file:///etc/passwd" parse="text"/></r>')
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"
    assert "root:" not in etree.tostring(root).decode()


def test_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(XmlError, match="is 4001 bytes; the limit is 4000"):
        parse_xml(b"<" + b"x" * 4000, max_bytes=4000)  # malformed, but too big first
    assert parse_xml(b"<r>" + b"x" * 3990 + b"</r>", max_bytes=4000).tag == "r"
    with pytest.raises(XmlError, match="limit is 5000000"):
        parse_xml(b"<r>" + b" " * 5_000_000 + b"</r>")


@pytest.mark.parametrize(("document", "line", "message"), [
    (b"<r>\n<a>\n</b></r>", 3, "Opening and ending tag mismatch"),
    (b"", 1, "Document is empty"),
    (b"<r>", 1, "Premature end of data"),
    (b"<r>\n\n\n<a x='1' x='2'/></r>", 4, "Attribute x redefined"),
    (b"<r>&undeclared;</r>", 1, "Entity 'undeclared' not defined"),
])
def test_malformed_xml_reports_the_line(document: bytes, line: int, message: str) -> None:
    with pytest.raises(XmlError, match=message) as info:
        parse_xml(document)
    assert info.value.line == line
    assert f"(line {line})" in str(info.value)


OPERATON = f"""<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:operaton="{OPERATON_NS}" id="d">
  <bpmn:process id="p" isExecutable="true" operaton:historyTimeToLive="P1D">
    <bpmn:userTask id="t" operaton:formKey="form:review" operaton:assignee="${{owner}}">
      <bpmn:extensionElements>
        <operaton:inputOutput>
          <operaton:inputParameter name="x">1</operaton:inputParameter>
        </operaton:inputOutput>
      </bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>"""


def test_operaton_namespace_becomes_camunda() -> None:
    root = normalize_namespaces(parse_xml(OPERATON))
    task = root.find(f".//{{{BPMN_NS}}}userTask")
    assert task is not None
    assert task.get(f"{{{CAMUNDA_NS}}}formKey") == "form:review"
    assert task.get(f"{{{CAMUNDA_NS}}}assignee") == "${owner}"
    parameter = root.find(f".//{{{CAMUNDA_NS}}}inputParameter")
    assert parameter is not None and parameter.text == "1"
    text = etree.tostring(root).decode()
    assert OPERATON_NS not in text and 'xmlns:camunda="' in text
    assert "camunda:formKey" in text and "operaton:" not in text


def test_camunda_value_wins_when_both_are_present() -> None:
    root = parse_xml(f'<r xmlns:camunda="{CAMUNDA_NS}" xmlns:operaton="{OPERATON_NS}" '
                     'camunda:topic="kept" operaton:topic="dropped"/>')
    normalize_namespaces(root)
    assert dict(root.attrib) == {f"{{{CAMUNDA_NS}}}topic": "kept"}


def test_operaton_dmn_and_legacy_activiti_namespaces() -> None:
    dmn = parse_xml('<d xmlns:operaton="http://operaton.org/schema/1.0/dmn" '
                    'operaton:inputVariable="x"/>')
    assert normalize_namespaces(dmn).get(f"{{{CAMUNDA_DMN_NS}}}inputVariable") == "x"
    activiti = parse_xml('<t xmlns:activiti="http://activiti.org/bpmn" '
                         'activiti:expression="${true}"/>')
    assert normalize_namespaces(activiti).get(f"{{{CAMUNDA_NS}}}expression") == "${true}"


def test_camunda_documents_are_left_untouched() -> None:
    text = (f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:camunda="{CAMUNDA_NS}">'
            '<bpmn:process id="p" camunda:versionTag="1"/></bpmn:definitions>')
    root = parse_xml(text)
    assert etree.tostring(normalize_namespaces(root)).decode() == text
