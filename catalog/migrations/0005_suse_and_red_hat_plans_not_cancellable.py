"""Whether a product can be cancelled follows from its family and publisher: software plans and
SUSE or Red Hat products never can. A product that said otherwise is made not cancellable before
the constraint holds it so; purchases keep the policy they were bought under.
"""

from django.db import migrations, models
from django.db.models import Q

NEVER_CANCELLABLE_PUBLISHERS = r"^(suse|red ?hat)([^a-z]|$)"


def plans_become_not_cancellable(apps, schema_editor) -> None:
    apps.get_model("catalog", "Product").objects.filter(
        Q(family="software_plan") | Q(publisher__iregex=NEVER_CANCELLABLE_PUBLISHERS),
        is_cancellable=True,
    ).update(is_cancellable=False)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_price_periods_never_overlap'),
    ]

    operations = [
        migrations.AlterField(
            model_name='product',
            name='is_cancellable',
            field=models.BooleanField(default=True, help_text='Clear for products that can be neither cancelled nor exchanged. Software plans and SUSE or Red Hat products never can.', verbose_name='cancellable'),
        ),
        migrations.RunPython(plans_become_not_cancellable, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('is_cancellable', False), models.Q(models.Q(('family', 'software_plan'), _negated=True), models.Q(('publisher__iregex', '^(suse|red ?hat)([^a-z]|$)'), _negated=True)), _connector='OR'), name='product_suse_and_red_hat_plans_not_cancellable', violation_error_message='Software plans and SUSE or Red Hat products can be neither cancelled nor exchanged: clear “cancellable”.'),
        ),
    ]
