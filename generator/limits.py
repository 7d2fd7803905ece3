"""The site file's limits as the model states them, for every reader that needs them: the JSON
Schema (generator/schema.py), the iApp's Tcl and APL help (generator/iapp/bundle.py).

A whole-number field's bounds and description are its `Field(ge=, le=, description=)` in
generator/model.py; a name's longest length is in generator/scalars.py. Nothing else writes them.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from generator.model import Ipsec, Monitor, Pool, Site, Vlan
from generator.scalars import DEPLOYMENT_NAME_MAX, NET_NAME_MAX, OBJECT_NAME_MAX, PHASE2_ENCRYPT, Choice


def whole_numbers(model: type[BaseModel]) -> dict[str, tuple[int, int, str]]:
    """Every whole-number field of `model`: (lowest, highest, description), by field name."""
    out: dict[str, tuple[int, int, str]] = {}
    for name, info in model.model_fields.items():
        found: dict[str, Any] = {}
        _look(info, found)
        _look(info.annotation, found)
        if "ge" in found and "le" in found:
            out[name] = (found["ge"], found["le"], found.get("description") or info.description or "")
    return out


def choice_fields(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """Every field of `model` that takes one of a fixed set of words: its choices, by field name."""
    out: dict[str, tuple[str, ...]] = {}
    for name, info in model.model_fields.items():
        found: dict[str, Any] = {}
        _look(info, found)
        _look(info.annotation, found)
        if "choices" in found:
            out[name] = found["choices"]
    return out


def _look(node: object, found: dict[str, Any]) -> None:
    for item in getattr(node, "metadata", None) or getattr(node, "__metadata__", ()) or ():
        if isinstance(item, BeforeValidator) and isinstance(item.func, Choice):
            found["choices"] = item.func.choices
        elif isinstance(item, Ge):
            found["ge"] = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, Le):
            found["le"] = int(item.le)  # type: ignore[call-overload]
        else:
            if isinstance(item, FieldInfo) and item.description:
                found["description"] = item.description
            _look(item, found)
    for arg in get_args(node):
        _look(arg, found)


# The iApp sections whose number fields are fields of the site model: (section, model, the
# field's prefix in the model). tunnel__mtu is the tunnel MTU etherip writes (generator/mtu.py),
# within the bounds the site's tunnel_mtu takes.
_SECTIONS: tuple[tuple[str, type[BaseModel], str], ...] = (
    ("wan", Vlan, ""),
    ("vm", Vlan, ""),
    ("tunnel", Site, "tunnel_"),
    ("pool", Pool, ""),
    ("monitor", Monitor, ""),
    ("ipsec", Ipsec, ""),
)

# The iApp's number fields and their ranges: every whole-number field of those models, so a
# field the model gains is limited in the iApp with nothing written here.
IAPP_NUMBERS: dict[str, tuple[int, int]] = {
    f"{section}__{name.removeprefix(prefix)}": (low, high)
    for section, model, prefix in _SECTIONS
    for name, (low, high, _) in whole_numbers(model).items()
    if name.startswith(prefix)
}

# The iApp's name fields and their longest length (generator/scalars.py).
IAPP_NAMES: dict[str, int] = {
    "site__deployment": DEPLOYMENT_NAME_MAX,
    "wan__vlan": NET_NAME_MAX,
    "vm__vlan": NET_NAME_MAX,
    "tunnel__name": NET_NAME_MAX,
    "vlan_group__name": NET_NAME_MAX,
    "wan__endpoint_name": OBJECT_NAME_MAX,
    "ha__device_group": OBJECT_NAME_MAX,
    "tunnel__remote_peer": OBJECT_NAME_MAX,
    "pool__name": OBJECT_NAME_MAX,
    "pool__also_monitor": OBJECT_NAME_MAX,
    "monitor__name": OBJECT_NAME_MAX,
    "ipsec__cert": OBJECT_NAME_MAX,
    "ipsec__key": OBJECT_NAME_MAX,
    "ipsec__ca": OBJECT_NAME_MAX,
}


# The iApp's choice fields and their choices: the IPsec fields of the model. phase2_auth: AES-GCM
# authenticates itself, so the iApp also takes the GCM name there.
IAPP_CHOICES: dict[str, tuple[str, ...]] = {
    f"ipsec__{name}": words for name, words in choice_fields(Ipsec).items()
}
IAPP_CHOICES["ipsec__phase2_auth"] += tuple(e for e in PHASE2_ENCRYPT if e.startswith("aes-gcm"))


_PLAIN = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def _check_tables() -> None:
    """The tables go into Tcl lists unquoted, and the Tcl reads at most six digits: a table that
    breaks either is a defect here, found at import, never a template that fails on the box."""
    for var, (low, high) in IAPP_NUMBERS.items():
        if not 0 <= low <= high <= 999_999:
            raise AssertionError(f"{var}: {low}-{high} is beyond the iApp's number pattern")
    for word in [*IAPP_NUMBERS, *IAPP_NAMES, *IAPP_CHOICES, *(w for ws in IAPP_CHOICES.values() for w in ws)]:
        if not _PLAIN.fullmatch(word):
            raise AssertionError(f"{word!r}: not a plain word for a Tcl list")


def tcl_limits() -> str:
    """The Tcl lines that open the iApp implementation's checks: every limit and choice above as
    two arrays, one entry a line, which the checks read (etherip_number, etherip_name,
    etherip_choice). Names, numbers and choices are plain words: nothing here needs quoting."""
    limits = [f"    {var} {{{low} {high}}}" for var, (low, high) in IAPP_NUMBERS.items()]
    limits += [f"    {var} {longest}" for var, longest in IAPP_NAMES.items()]
    choices = [f"    {var} {{{' '.join(words)}}}" for var, words in IAPP_CHOICES.items()]
    return "\n".join(
        ["array set ::etherip_limits {", *limits, "}", "array set ::etherip_choices {", *choices, "}"]
    )


_check_tables()
