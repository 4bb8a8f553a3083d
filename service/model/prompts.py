"""Load a versioned prompt file from `prompts/` strictly: unknown keys and missing variables are errors."""

import string
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    system: str
    user: str
    questions: dict[str, str] = {}  # asked after the same system + user prefix, one call each

    def render(self, question: str | None = None, **variables: str) -> list[dict[str, str]]:
        """Chat messages; raises KeyError for a placeholder with no value, ValueError for an unused value."""
        templates = [("system", self.system), ("user", self.user)]
        if question is not None:
            templates.append(("user", self.questions[question]))
        expected = {
            name
            for _, template in templates
            for _, name, braced, _ in string.Template.pattern.findall(template)
            for name in (name or braced,)
            if name
        }
        unused = set(variables) - expected
        if unused:
            raise ValueError(f"prompt {self.version} has no placeholder for {sorted(unused)}")
        return [
            {"role": role, "content": string.Template(template.strip()).substitute(variables)}
            for role, template in templates
        ]

    def overhead_chars(self) -> int:
        """An upper bound on the prompt's own size around the article (a token is at least a character)."""
        return len(self.system) + len(self.user) + max((len(q) for q in self.questions.values()), default=0) + 200


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    with (directory / f"{name}.toml").open("rb") as file:
        return PromptTemplate.model_validate(tomllib.load(file))
