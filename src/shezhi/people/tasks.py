from django_tasks import task


@task()
def run_roster_import(import_id: int) -> str:
    from .roster import run_roster_job

    return run_roster_job(import_id).status
