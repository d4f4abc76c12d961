from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("needs", "0003_request_events_refuse_replace_and_truncate"),
    ]

    operations = [
        migrations.CreateModel(
            name="IntakeAnsweredQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nonce", models.CharField(max_length=32, unique=True, verbose_name="问题编号")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="过期时间")),
            ],
            options={
                "verbose_name": "已回答的验证问题",
                "verbose_name_plural": "已回答的验证问题",
            },
        ),
        migrations.CreateModel(
            name="IntakeFilingCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address", models.CharField(max_length=64, verbose_name="来源地址")),
                ("hour", models.DateTimeField(verbose_name="小时")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="次数")),
            ],
            options={
                "verbose_name": "公开提交计数",
                "verbose_name_plural": "公开提交计数",
                "indexes": [models.Index(fields=["hour"], name="intake_count_hour")],
                "constraints": [
                    models.UniqueConstraint(fields=("address", "hour"), name="intake_count_address_hour")
                ],
            },
        ),
    ]
