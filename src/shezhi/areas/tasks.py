from django_tasks import task

from . import services


@task()
def run_area_import(import_id: int) -> str:
    return services.run_import_job(import_id).status
