from django.db import migrations


class Migration(migrations.Migration):
    """OrderLine is called Purchase everywhere else; the table keeps its name (no data moves)."""

    dependencies = [
        ("orders", "0006_keys_and_links_follow_the_purchase"),
        ("software", "0004_keys_and_links_follow_the_purchase"),
        ("support", "0002_status_e_mails_in_the_outbox"),
        ("invoices", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="orderline", table="orders_orderline"),
        migrations.RenameModel(old_name="OrderLine", new_name="Purchase"),
    ]
