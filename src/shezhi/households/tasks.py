from django_tasks import task


@task()
def run_household_import(import_id: int) -> str:
    from .transfer import run_import_job

    return run_import_job(import_id).status
