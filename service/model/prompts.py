"""Load a versioned prompt file strictly: unknown keys and missing variables are errors.

The files live in the repository's top-level `prompts/`, installed as the package data of `service.prompts`
(pyproject.toml maps the directory there), so they are read from the installed distribution with
importlib.resources: the same in a wheel as in an editable install, whatever the working directory.
"""

import hashlib
import json
import string
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable

from pydantic import BaseModel, ConfigDict

from service.languages import every, tag

PROMPTS_PACKAGE = "service.prompts"


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

    def question_in(self, name: str, language: str | None) -> str:
        """The key of question `name` for an article in `language` (a BCP 47 tag): its variant written in that
        language ("summary-de", from the language's module) where there is one, for a small model writes in
        the language it is asked in; else `name`."""
        variant = f"{name}-{tag(language).code}"  # "no" is Bokmål's "nb"
        return variant if language and variant in self.questions else name

    def overhead_chars(self) -> int:
        """An upper bound on the prompt's own size around the article (a token is at least a character)."""
        return len(self.system) + len(self.user) + max((len(q) for q in self.questions.values()), default=0) + 200


def load_prompt(name: str, directory: Traversable | None = None) -> PromptTemplate:
    """The prompt `name` from the installed package data (or from `directory`, e.g. a test's own files),
    with its questions written in other languages (service/languages: "summary-de" for German's "summary"),
    its version followed by a digest of those, so that the version names every text sent; a missing file
    raises FileNotFoundError."""
    source = (files(PROMPTS_PACKAGE) if directory is None else directory) / f"{name}.toml"
    prompt = PromptTemplate.model_validate(tomllib.loads(source.read_text(encoding="utf-8")))
    written = {
        f"{question}-{language.code}": text
        for language in every()
        for question, text in language.questions.items()
        if question in prompt.questions
    }
    if not written:
        return prompt
    digest = hashlib.sha256(json.dumps(written, sort_keys=True).encode()).hexdigest()[:8]
    return prompt.model_copy(
        update={"version": f"{prompt.version}+{digest}", "questions": {**prompt.questions, **written}}
    )
