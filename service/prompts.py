"""Load a versioned prompt file from `prompts/` strictly: unknown keys and missing variables are errors."""

import string
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    system: str
    user: str

    def render(self, **variables: str) -> list[dict[str, str]]:
        """Chat messages; raises KeyError for a placeholder with no value, ValueError for an unused value."""
        expected = {
            name
            for template in (self.system, self.user)
            for _, name, braced, _ in string.Template.pattern.findall(template)
            for name in (name or braced,)
            if name
        }
        unused = set(variables) - expected
        if unused:
            raise ValueError(f"prompt {self.version} has no placeholder for {sorted(unused)}")
        return [
            {"role": "system", "content": string.Template(self.system.strip()).substitute(variables)},
            {"role": "user", "content": string.Template(self.user.strip()).substitute(variables)},
        ]


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    with (directory / f"{name}.toml").open("rb") as file:
        return PromptTemplate.model_validate(tomllib.load(file))
