"""Use a client generated from Waymark's OpenAPI document (openapi-python-client)
against a running demo: a list, a read and a write, each checked.

Run by .ci/run: python api_client_check.py BASE_URL
"""

import sys
import time

from waymark_api_client import Client
from waymark_api_client.api.plans import list_plans
from waymark_api_client.api.work_packages import (
    get_work_package,
    list_work_packages,
    update_work_package,
)
from waymark_api_client.models import (
    ListWorkPackagesSort,
    PlanList,
    Problem,
    WorkPackageDto,
    WorkPackageFields,
    WorkPackagePage,
)


def expect(value, kind, what):
    if isinstance(value, Problem):
        sys.exit(f"{what}: the API answered a problem: {value.status} {value.title}: {value.detail}")
    if not isinstance(value, kind):
        sys.exit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


def main() -> None:
    base = sys.argv[1]
    client = Client(base_url=base, raise_on_unexpected_status=True)

    plans = expect(list_plans.sync(client=client), PlanList, "list plans")
    if not plans.items:
        sys.exit("list plans: the demo has no plan")
    plan = plans.items[0]

    page = expect(
        list_work_packages.sync(id=plan.id, client=client, per_page=5, sort=ListWorkPackagesSort.TITLE),
        WorkPackagePage,
        "list work packages",
    )
    if not page.items or page.per_page != 5 or len(page.items) > 5:
        sys.exit(f"list work packages: {len(page.items)} items, per_page {page.per_page}")
    titles = [w.title for w in page.items]
    if titles != sorted(titles, key=str.casefold) and titles != sorted(titles):
        sys.exit(f"list work packages: not sorted by title: {titles}")
    print(f"list: {page.total} packages in plan {plan.id}; the first by title is {titles[0]!r}")

    first = page.items[0]
    package = expect(get_work_package.sync(id=first.id, client=client), WorkPackageDto, "read a work package")
    if package.title != first.title or package.reference != first.reference:
        sys.exit(f"read: {package.reference} {package.title!r} is not {first.reference} {first.title!r}")
    print(f"read: {package.reference} {package.title!r}")

    note = f"Checked by the generated API client at {int(time.time())}."
    changed = expect(
        update_work_package.sync(id=package.id, client=client, body=WorkPackageFields(comments=note)),
        WorkPackageDto,
        "write a work package",
    )
    again = expect(get_work_package.sync(id=package.id, client=client), WorkPackageDto, "read back")
    if changed.comments != note or again.comments != note:
        sys.exit(f"write: comments are {again.comments!r}, expected {note!r}")
    if again.title != package.title:
        sys.exit(f"write: the title changed to {again.title!r}")
    print(f"write: {package.reference} comments saved and read back")
    print("client check: a list, a read and a write, each as expected")


if __name__ == "__main__":
    main()
