from __future__ import annotations

from linli.core.ticks import register_tick_job, tick_jobs


def test_the_apps_register_their_jobs_in_the_order_of_installed_apps():
    assert [job.label for job in tick_jobs()] == [
        "终止卡住的导入任务",
        "通知重试",
        "协议回访提醒",
        "隐患逾期提醒",
        "超时诉求自动上报",
        "清理公开提交计数",
    ]


def test_registering_a_job_again_adds_nothing():
    before = tick_jobs()
    register_tick_job(before[0].label, before[0].run)
    assert tick_jobs() == before
