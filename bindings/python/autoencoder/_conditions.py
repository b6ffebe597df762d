"""What a model's condition row is made of, and the checks on labels and condition rows that
depend on it, before anything crosses into C.

A conditional model (a cvae) reads a condition row of `width` values with every row: its named
groups side by side (see ConditionGroup). A call gives them as condition rows (`conditions=`),
or, for a model whose condition is one class label (`classes` > 0), as labels; never both.
"""
from __future__ import annotations

import ctypes
from typing import NamedTuple, Optional, Tuple

import numpy as np

from . import _lib
from ._arguments import as_conditions, as_labels, integer
from ._errors import InvalidArgumentError, UnsupportedError, check

_KINDS = {_lib.AE_CONDITION_ONE_HOT: "one_hot", _lib.AE_CONDITION_CONTINUOUS: "continuous"}


class ConditionGroup(NamedTuple):
    """One named group of a conditional model's condition row (`Model.condition_groups`).

    kind "one_hot": `width` classes, given as a row with 1 for the class and 0 for the others
    (values in [0, 1]); kind "continuous": `width` real values, passed to the network as given
    (the model's scaling applies to data, not to conditions)."""
    name: str
    kind: str
    width: int


class Conditions(NamedTuple):
    """A model's conditions, read once at opening: `kind` (the model's), `classes`
    (ae_model_class_count), `width` (ae_model_condition_width) and `groups`."""
    kind: str
    classes: int
    width: int
    groups: Tuple[ConditionGroup, ...]

    @classmethod
    def read(cls, handle: int, kind: str) -> "Conditions":
        """The conditions of the open model `handle`."""
        groups = []
        for index in range(_lib.ae_model_condition_group_count(handle)):
            name, group_kind, width = ctypes.c_char_p(), ctypes.c_int(), ctypes.c_size_t()
            check(_lib.ae_model_condition_group(handle, index, ctypes.byref(name), ctypes.byref(group_kind),
                                                ctypes.byref(width)))
            groups.append(ConditionGroup(name.value.decode(), _KINDS.get(group_kind.value, f"kind {group_kind.value}"),
                                         width.value))
        return cls(kind, _lib.ae_model_class_count(handle), _lib.ae_model_condition_width(handle), tuple(groups))

    def describe(self) -> str:
        """The groups as "class: one_hot x 3, level: continuous x 2"."""
        return ", ".join(f"{g.name}: {g.kind} x {g.width}" for g in self.groups)

    def label(self, label, conditions) -> int:
        """One class for a whole call (sample, interpolate), checked against the model's classes.
        InvalidArgumentError with conditions too or for a class out of range, UnsupportedError
        for a model without classes."""
        label = integer(label, "label")
        if conditions is not None:
            raise InvalidArgumentError("pass label or conditions, not both")
        if not self.classes:
            if self.width:
                raise UnsupportedError(f"this {self.kind} model's condition is not one class label (groups "
                                       f"{self.describe()}); pass conditions= rows of {self.width} values instead "
                                       "of a label")
            raise UnsupportedError(f"this {self.kind} model has no classes; call it without a label")
        if not 0 <= label < self.classes:
            raise InvalidArgumentError(f"label must be in 0..{self.classes - 1}, got {label}")
        return label

    def rows(self, conditions, n: int, *, one: bool = False) -> Optional[np.ndarray]:
        """Condition rows for n rows (one row with one=True), checked; None stays None.
        UnsupportedError for a model without conditions."""
        if conditions is None:
            return None
        if not self.width:
            raise UnsupportedError(f"this {self.kind} model takes no conditions; call it without conditions=")
        return as_conditions(conditions, n, self.width, one=one)

    def per_row(self, labels, conditions, n: int) -> Tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """(labels as C ints, condition rows) for n rows: at most one of them is not None."""
        if labels is not None and conditions is not None:
            raise InvalidArgumentError("pass labels or conditions, not both")
        return (None if labels is None else as_labels(labels, n)), self.rows(conditions, n)
