"""Check the content folders without starting the site (used while writing content).

    python docs/validate_content.py

Prints every problem, or a summary of what loaded. `flask --app app check-content` does the
same inside the app, with the real site addresses.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eduplatform.catalogue import ContentError, load_catalogue  # noqa: E402


def fake_url(endpoint: str, **values: str) -> str:
    return "/" + endpoint + "/" + "/".join(str(v) for v in values.values())


try:
    catalogue = load_catalogue(ROOT / "curriculum", ROOT / "content", ROOT / "static", fake_url)
except ContentError as error:
    print(error)
    sys.exit(1)
for audience in catalogue.audiences:
    modules = catalogue.modules_for((audience,))
    lessons = sum(len(m.lesson_ids) for m in modules)
    questions = sum(len(catalogue.module_content(m.id, "en").quiz.questions) for m in modules if m.has_quiz)
    print(f"{audience:10} modules={len(modules):3} lessons={lessons:3} questions={questions:3}")

from eduplatform.catalogue.readability import measure  # noqa: E402

print()
for audience in catalogue.audiences:
    texts = []
    for module in catalogue.modules_for((audience,)):
        content = catalogue.module_content(module.id, "en")
        texts += [lesson.text for lesson in content.lessons]
        if content.quiz:
            texts += [q.prompt for q in content.quiz.questions] + [q.explanation for q in content.quiz.questions]
    for agreement in catalogue.agreements_for((audience,)):
        texts.append(catalogue.agreement_content(agreement.id, "en").text)
    level = measure(texts)
    print(f"{audience:10} reading grade (Flesch-Kincaid) {level.grade:5.1f}  ~ reading age {level.reading_age:5.1f}"
          f"  words={level.words}")
