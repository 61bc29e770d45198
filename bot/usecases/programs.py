"""The programs of a workspace (docs/programs.md): the "main" program every team has,
finding one by name, creating one."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import dialect_insert
from bot.store.models import MAIN_PROGRAM, AuditEntry, Coordinator, Program

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def valid_name(name: str) -> bool:
    """Lower-case letters, digits and dashes, up to 40, starting with a letter or digit."""
    return _NAME.fullmatch(name) is not None


def main_program(session: Session, team_id: str) -> int:
    """The id of the team's "main" program, created on first use. Two processes may
    race to create it: the unique (team, name) lets the database pick one."""
    found = find_program(session, team_id, MAIN_PROGRAM)
    if found is not None:
        return found.id
    session.execute(
        dialect_insert(session, Program)
        .values(
            team_id=team_id,
            name=MAIN_PROGRAM,
            created_by="benchmate",
            # When it was first needed; metadata only, so the wall clock does.
            created_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    made = find_program(session, team_id, MAIN_PROGRAM)
    assert made is not None
    return made.id


def find_program(session: Session, team_id: str, name: str) -> Program | None:
    return session.scalars(
        select(Program).where(Program.team_id == team_id, Program.name == name.lower())
    ).first()


def programs_coordinated(session: Session, team_id: str, user_id: str) -> list[int]:
    """The programs someone was made a coordinator of in Slack, oldest first."""
    return list(
        session.scalars(
            select(Coordinator.program_id)
            .where(Coordinator.team_id == team_id, Coordinator.slack_user_id == user_id)
            .order_by(Coordinator.added_at, Coordinator.id)
        )
    )


def programs_of(session: Session, team_id: str) -> list[Program]:
    main_program(session, team_id)
    return list(
        session.scalars(select(Program).where(Program.team_id == team_id).order_by(Program.id))
    )


def programs_for(
    session: Session, env_coordinators: Collection[str], team_id: str, user_id: str
) -> list[Program]:
    """The programs someone coordinates: every one for BENCHMATE_COORDINATORS, else
    those they were made a coordinator of (oldest first; none: not a coordinator)."""
    if user_id in env_coordinators:
        return programs_of(session, team_id)
    ids = programs_coordinated(session, team_id, user_id)
    found = {p.id: p for p in session.scalars(select(Program).where(Program.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# Words `/program` reads as sub-commands: never a program's name.
SUB_COMMANDS = frozenset(
    [
        "help",
        "announce",
        "channel",
        "coordinators",
        "import",
        "match",
        "pair",
        "programs",
        "remove",
        "report",
        "settings",
        "surveys",
        "unpair",
        "upload",
    ]
)


@dataclass(frozen=True)
class Scope:
    """Which program a `/program` command acts on, and the rest of its text."""

    program_id: int
    name: str
    text: str
    named: bool  # the command named it


def scope_of(
    session: Session, env_coordinators: Collection[str], team_id: str, user_id: str, text: str
) -> Scope:
    """`/program north-site pair …` acts on north-site. Without a name: on "main" if
    the user coordinates it (BENCHMATE_COORDINATORS coordinate every program), else on
    the first program they were made a coordinator of."""
    words = text.split(maxsplit=1)
    if words and words[0].lower() not in SUB_COMMANDS:
        found = find_program(session, team_id, words[0])
        if found is not None:
            return Scope(found.id, found.name, words[1] if len(words) > 1 else "", True)
    main = main_program(session, team_id)
    mine = [] if user_id in env_coordinators else programs_coordinated(session, team_id, user_id)
    chosen = mine[0] if mine and main not in mine else main
    program = session.get(Program, chosen)
    assert program is not None
    return Scope(chosen, program.name, text, False)


@dataclass(frozen=True)
class Chosen:
    """The program a `benchmate` command acts on, and every program of its team."""

    program_id: int
    name: str
    names: tuple[str, ...]  # oldest first

    @property
    def several(self) -> bool:
        return len(self.names) > 1


def choose_program(session: Session, team_id: str, name: str | None) -> Chosen | str:
    """For the CLI's `--program NAME`: that program of the team, or "main" when no name
    is given (also when there are several: the caller says so); or why not, naming the
    known programs."""
    programs = programs_of(session, team_id)
    names = tuple(p.name for p in programs)
    wanted = MAIN_PROGRAM if name is None else name.strip().lower()
    for found in programs:
        if found.name == wanted:
            return Chosen(found.id, found.name, names)
    return f"no program called {name!r}; the programs are: {', '.join(names)}"


def program_labels(session: Session, team_id: str) -> dict[int, str]:
    """Program names by id, for labelling pairs, reminders and forms: empty when the
    team has one program, so a one-program deployment reads as it always did."""
    found = dict(
        session.execute(select(Program.id, Program.name).where(Program.team_id == team_id)).all()
    )
    return found if len(found) > 1 else {}


def label_of(session: Session, team_id: str, program_id: int) -> str:
    """The program's name when the team has several; "" when it has one."""
    return program_labels(session, team_id).get(program_id, "")


def program_named(session: Session, program_id: int) -> str:
    program = session.get(Program, program_id)
    return program.name if program else MAIN_PROGRAM


def create_program(
    session: Session, *, team_id: str, name: str, by: str, now: datetime
) -> Program | str:
    """A new program with its creator as first coordinator; or why not."""
    name = name.lower()
    if not valid_name(name) or name in SUB_COMMANDS:
        return (
            "A program's name is lower-case letters, digits and dashes (up to 40), and "
            "not a `/program` sub-command, e.g. `north-site`."
        )
    main_program(session, team_id)
    if find_program(session, team_id, name) is not None:
        return f"There is already a program called `{name}`."
    program = Program(team_id=team_id, name=name, created_by=by, created_at=now)
    session.add(program)
    session.flush()
    session.add(
        Coordinator(
            team_id=team_id, program_id=program.id, slack_user_id=by, added_by=by, added_at=now
        )
    )
    session.add(
        AuditEntry(
            team_id=team_id,
            program_id=program.id,
            actor=by,
            action="program_create",
            details=json.dumps({"name": name}),
            at=now,
        )
    )
    return program
