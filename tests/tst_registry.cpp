// Every registered connector: unique id, a valid SVG icon of renderable size, honest entities and a config
// spec whose secret fields are marked.
#include "connectorregistry.h"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTest>

class TestRegistry : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        registerBuiltinConnectors();
        registerBuiltinConnectors(); // twice is harmless
        QVERIFY(ConnectorRegistry::instance().all().size() >= 1);
        QVERIFY(ConnectorRegistry::instance().contains(QStringLiteral("stripe")));
    }

    void connectors_data()
    {
        QTest::addColumn<QString>("id");
        for (const ConnectorMetadata &metadata : ConnectorRegistry::instance().all())
            QTest::newRow(qPrintable(metadata.id)) << metadata.id;
    }

    void connectors()
    {
        QFETCH(QString, id);
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QVERIFY(metadata);
        QVERIFY(QRegularExpression(QStringLiteral("^[a-z][a-z0-9_-]*$")).match(id).hasMatch());
        QVERIFY(!metadata->name.isEmpty());
        QVERIFY(!metadata->version.isEmpty());
        QVERIFY(!metadata->description.isEmpty());

        // Icon: compiled in, valid SVG, a sane size, and it draws something.
        QVERIFY2(QFile::exists(metadata->iconPath), qPrintable(metadata->iconPath));
        QSvgRenderer renderer(metadata->iconPath);
        QVERIFY(renderer.isValid());
        const QSize size = renderer.defaultSize();
        QVERIFY2(size.width() >= 16 && size.width() <= 1024 && size.height() >= 16 && size.height() <= 1024,
                 qPrintable(QStringLiteral("%1x%2").arg(size.width()).arg(size.height())));
        QImage image(64, 64, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        renderer.render(&painter);
        painter.end();
        int painted = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                painted += qAlpha(image.pixel(x, y)) > 0;
        QVERIFY2(painted > 64 * 64 / 8, "the icon renders almost nothing");

        // Entities: unique names, primary keys, incremental modes that name their cursor.
        // Connectors whose connections define their entities (files, GraphQL) may list none up front.
        QVERIFY(!metadata->entities.isEmpty() || metadata->configEntities);
        QStringList names;
        for (const EntityInfo &entity : metadata->entities) {
            QVERIFY(!names.contains(entity.name));
            names.append(entity.name);
            QVERIFY(!entity.label.isEmpty());
            QVERIFY(!entity.primaryKey.isEmpty());
            if (entity.incremental != IncrementalMode::None)
                QVERIFY2(!entity.cursorField.isEmpty(), qPrintable(entity.name));
        }

        // Config spec: fields that hold credentials are secret, so they never reach the catalog.
        static const QRegularExpression credential(QStringLiteral("(key|token|secret|password)$"));
        QStringList fieldNames;
        for (const ConfigField &field : metadata->config) {
            QVERIFY(!fieldNames.contains(field.name));
            fieldNames.append(field.name);
            QVERIFY(!field.label.isEmpty());
            if (credential.match(field.name).hasMatch())
                QVERIFY2(field.isSecret(),
                         qPrintable(field.name + QStringLiteral(" should be a secret field")));
            if (field.type == ConfigField::Type::Select)
                QVERIFY(!field.options.isEmpty());
        }
        // An empty config is refused only for its required fields.
        const QStringList problems = validateConfigAgainstSpec(metadata->config, {});
        for (const QString &problem : problems)
            QVERIFY2(problem.contains(QLatin1String("required")), qPrintable(problem));
        // The instance agrees with the registry.
        QVERIFY(ConnectorRegistry::instance().create(id) != nullptr);
    }

    void stripeSpec()
    {
        const ConnectorMetadata *stripe = ConnectorRegistry::instance().metadata(QStringLiteral("stripe"));
        QVERIFY(stripe);
        QCOMPARE(stripe->secretFieldNames(), QStringList{QStringLiteral("api_key")});
        QCOMPARE(stripe->field(QStringLiteral("base_url"))->defaultValue.toString(),
                 QStringLiteral("https://api.stripe.com"));
        for (const QString &entity :
             {QStringLiteral("customers"), QStringLiteral("charges"), QStringLiteral("invoices"),
              QStringLiteral("subscriptions"), QStringLiteral("products"), QStringLiteral("prices"),
              QStringLiteral("payment_intents"), QStringLiteral("refunds"),
              QStringLiteral("balance_transactions")}) {
            QVERIFY2(stripe->entity(entity), qPrintable(entity));
            QCOMPARE(stripe->entity(entity)->incremental, IncrementalMode::CreatedOnly);
        }
    }

    void configValidation_data()
    {
        QTest::addColumn<QJsonObject>("config");
        QTest::addColumn<QString>("problem");
        QTest::newRow("ok") << QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_x")}} << QString();
        QTest::newRow("missing key") << QJsonObject{} << QStringLiteral("api_key: required");
        QTest::newRow("bad url") << QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_x")},
                                                {QStringLiteral("base_url"), QStringLiteral("not a url")}}
                                 << QStringLiteral("base_url: must be an http(s) URL");
        QTest::newRow("bad integer") << QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_x")},
                                                    {QStringLiteral("rate_limit_delay_ms"),
                                                     QStringLiteral("soon")}}
                                     << QStringLiteral("rate_limit_delay_ms: must be a whole number");
        QTest::newRow("unknown field") << QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_x")},
                                                      {QStringLiteral("colour"), QStringLiteral("red")}}
                                       << QStringLiteral("colour: not a setting");
    }

    void configValidation()
    {
        QFETCH(QJsonObject, config);
        QFETCH(QString, problem);
        const QStringList problems = validateConfigAgainstSpec(
            ConnectorRegistry::instance().metadata(QStringLiteral("stripe"))->config, config);
        if (problem.isEmpty())
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        else
            QVERIFY2(problems.join(QLatin1Char('\n')).contains(problem),
                     qPrintable(problems.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestRegistry)
#include "tst_registry.moc"
