import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from itsm_prm.errors import InputError, UnknownFormatError
from itsm_prm.rdfio import format_for, parse_rdf

TTL = '@prefix ex: <http://example.org/> .\nex:a ex:p "x" ;\n  ex:q [ ex:r 1 ] .\n'
SAME_IN_EACH_FORMAT = {
    "a.ttl": TTL,
    "a.nt": '<http://example.org/a> <http://example.org/p> "x" .\n',
    "a.nq": '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n',
    "a.trig": '<http://example.org/g> { <http://example.org/a> <http://example.org/p> "x" . }\n',
    "a.jsonld": '{"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "ex:p": "x"}',
    "a.json": '{"@id": "http://example.org/a", "http://example.org/p": "x"}',
    "a.rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>'
    ),
}


@pytest.mark.parametrize("name", sorted(SAME_IN_EACH_FORMAT))
def test_formats_from_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(SAME_IN_EACH_FORMAT[name])
    parsed = parse_rdf(path)
    assert parsed.triples >= 1
    assert ("http://example.org/a", "http://example.org/p", "x") in {tuple(map(str, t)) for t in parsed.graph}


def test_prefixes_and_blank_nodes(tmp_path: Path) -> None:
    path = tmp_path / "a.ttl"
    path.write_text(TTL)
    parsed = parse_rdf(path)
    assert parsed.prefixes == {"ex": "http://example.org/"}
    assert parsed.triples == len(parsed.graph) == 3


def test_explicit_format_and_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text(TTL)
    with pytest.raises(InputError, match="cannot tell the RDF format"):
        parse_rdf(path)
    assert parse_rdf(path, "turtle").triples == 3
    with pytest.raises(UnknownFormatError):
        format_for(path, "yaml")


def test_malformed_turtle_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "data.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:p "x" ;\n  ex:q "y"\nex:b ex:p "z" .\n')
    with pytest.raises(InputError, match=r"data\.ttl line 4, column \d+: .*dot"):
        parse_rdf(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.ttl: no such file"):
        parse_rdf(tmp_path / "nope.ttl")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_text(TTL * 10)
    with pytest.raises(InputError, match="over the limit of 100 bytes"):
        parse_rdf(path, max_bytes=100)
    assert parse_rdf(path, max_bytes=10_000).triples > 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&c;</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("name", ["x.rdf", "x.owl", "x.xml"])
def test_rdfxml_with_doctype_or_entities_is_refused(tmp_path: Path, name: str, encoding: str) -> None:
    path = tmp_path / name
    path.write_bytes(BILLION_LAUGHS.encode(encoding))
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        parse_rdf(path)


def test_entity_declaration_without_doctype_keyword_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.rdf"
    path.write_text('<!ENTITY x SYSTEM "file:///etc/passwd">')
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        parse_rdf(path)


@pytest.fixture
def canary() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    received.append(b"(connected)")
                conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n\r\n{"@context": {}}')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _canary_works(port: int, received: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
        probe.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        probe.recv(100)
    assert received and received[-1].startswith(b"GET /probe")
    received.clear()


def test_remote_jsonld_context_is_never_fetched(tmp_path: Path, canary: tuple[int, list[bytes]]) -> None:
    port, received = canary
    _canary_works(port, received)
    path = tmp_path / "remote.jsonld"
    path.write_text(
        f'{{"@context": "http://127.0.0.1:{port}/context.jsonld", "@id": "http://example.org/a", '
        '"name": "x"}'
    )
    with pytest.raises(InputError, match=r"remote\.jsonld: remote JSON-LD @context is not fetched"):
        parse_rdf(path)
    assert received == []
