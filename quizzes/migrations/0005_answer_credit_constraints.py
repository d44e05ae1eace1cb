# The constraints that need every answer's credit set: their own migration, so that on
# PostgreSQL the data update above has committed (no ALTER TABLE with pending trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0004_question_kinds_versions_objectives"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.CheckConstraint(condition=models.Q(('credit__gte', 0), ('credit__lte', 1)), name='answer_credit_0_to_1'),
        ),
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.CheckConstraint(condition=models.Q(('is_correct', False), ('credit', 1), _connector='OR'), name='answer_correct_means_full_credit'),
        ),
        migrations.AddConstraint(
            model_name='questionversion',
            constraint=models.UniqueConstraint(fields=('question', 'number'), name='version_unique_number'),
        ),
    ]
