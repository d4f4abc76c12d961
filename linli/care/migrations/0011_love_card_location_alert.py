from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0010_contact_period_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="lovecard",
            name="last_location_alert_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近转告地点时间"),
        ),
    ]
