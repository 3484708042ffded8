"""Use a client generated from Waymark's OpenAPI document (openapi-python-client)
against a running demo, signed in with an API token: who the token is (GET
/api/v1/me), a list, a read and a write, each checked; the write sends the
version it read (If-Match), and one on a stale version is refused (412) with
the version now; the same write without a token is refused (401).

Run by .ci/run: python api_client_check.py BASE_URL, with WAYMARK_TOKEN (the
CI editor's API token) and WAYMARK_EMAIL (its email address) set.
"""

import os
import sys
import time

from waymark_api_client import AuthenticatedClient, Client
from waymark_api_client.api.account import get_me
from waymark_api_client.api.plans import list_plans
from waymark_api_client.api.work_packages import (
    get_work_package,
    list_work_packages,
    update_work_package,
)
from waymark_api_client.models import (
    ListWorkPackagesSort,
    Me,
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
    token = os.environ.get("WAYMARK_TOKEN")
    email = os.environ.get("WAYMARK_EMAIL")
    if not token or not email:
        sys.exit("WAYMARK_TOKEN and WAYMARK_EMAIL must be set (the CI editor's API token and email)")
    client = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)
    visitor = Client(base_url=base, raise_on_unexpected_status=True)

    me = expect(get_me.sync(client=client), Me, "who am I")
    if me.email != email or me.via != "token":
        sys.exit(f"who am I: {me.email!r} via {me.via!r}, expected {email!r} via 'token'")
    print(f"me: {me.email} ({me.name}, {me.role}) by API token")

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
    read = get_work_package.sync_detailed(id=first.id, client=client)
    package = expect(read.parsed, WorkPackageDto, "read a work package")
    etag = read.headers.get("etag")
    if etag != f'"{package.version}"':
        sys.exit(f"read: ETag {etag!r} is not the package's version {package.version}")
    if package.title != first.title or package.reference != first.reference:
        sys.exit(f"read: {package.reference} {package.title!r} is not {first.reference} {first.title!r}")
    print(f"read: {package.reference} {package.title!r}")

    note = f"Checked by the generated API client at {int(time.time())}."
    changed = expect(
        update_work_package.sync(
            id=package.id, client=client, body=WorkPackageFields(comments=note), if_match=etag
        ),
        WorkPackageDto,
        "write a work package",
    )
    stale = update_work_package.sync_detailed(
        id=package.id, client=client, body=WorkPackageFields(comments="lost"), if_match=etag
    )
    if stale.status_code != 412 or not isinstance(stale.parsed, Problem):
        sys.exit(f"write on a stale version: {stale.status_code}, expected a 412 problem")
    if stale.parsed.current_version != changed.version:
        sys.exit(f"412: current_version {stale.parsed.current_version!r}, expected {changed.version}")
    print(f"write on a stale version {etag}: 412, now version {changed.version}")
    unsigned = update_work_package.sync_detailed(
        id=package.id, client=visitor, body=WorkPackageFields(comments="anonymous"), if_match=f'"{changed.version}"'
    )
    if unsigned.status_code != 401 or not isinstance(unsigned.parsed, Problem):
        sys.exit(f"write without a token: {unsigned.status_code}, expected a 401 problem")
    print("write without a token: 401")
    again = expect(get_work_package.sync(id=package.id, client=client), WorkPackageDto, "read back")
    if changed.comments != note or again.comments != note:
        sys.exit(f"write: comments are {again.comments!r}, expected {note!r}")
    if again.title != package.title:
        sys.exit(f"write: the title changed to {again.title!r}")
    print(f"write: {package.reference} comments saved and read back")
    print("client check: who am I, a list, a read and a write, each as expected")


if __name__ == "__main__":
    main()
