"""``itsm-prm derive-mappings``: regenerate (or check) a mapping set derived through the edition crosswalk."""

from __future__ import annotations

import click

from itsm_prm.crosswalk import derive
from itsm_prm.crosswalk.targets import resolve_target
from itsm_prm.export import write_atomic


@click.command(name="derive-mappings")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="EDITION",
    help="The derived edition: iso20000-1:2011 or iso20000-1:2018 (or just 2011, 2018).",
)
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the committed file is out of date.")
@click.option("--pending", is_flag=True, help="List the derived mappings that still need a review decision.")
@click.pass_obj
def derive_mappings(obj: object, to: str, check: bool, pending: bool) -> int:
    """Carry the ISO/IEC 20000-1:2005 mapping set through the edition crosswalk.

    Each derived record composes the relations of its chain (model → 2005 clause → 2011 clause
    → 2018 clause); the review file data/mappings/reviews/<set>.toml decides the chains the
    composition leaves open and may reject or add mappings. The result is written to
    data/mappings/<set>.ttl under the resources root.
    """
    try:
        target = resolve_target(to)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    derive.check_derivable(target)
    settings = obj.settings  # type: ignore[attr-defined]
    resources = settings.resources_root()
    review = derive.load_review(derive.review_path(resources, target))
    derivation = derive.derive(obj.load(), target)  # type: ignore[attr-defined]
    if pending:
        open_pairs = derive.pending(derivation, review)
        for line in open_pairs:
            click.echo(line)
        click.echo(f"{len(open_pairs)} derived mapping(s) need a review decision", err=True)
        return 1 if open_pairs else 0
    text = derive.render(derivation, review)
    out = derive.output_path(resources, target)
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            hint = f"run itsm-prm derive-mappings --to {target.short}"
            click.echo(f"{out.name} is out of date: {hint}", err=True)
            return 1
        click.echo(f"{out.name} is up to date")
        return 0
    write_atomic(out, text.encode("utf-8"))  # a failed run never leaves half a file behind
    click.echo(f"wrote {out.name}: {text.count('a prm:MappingRecord')} records")
    return 0
