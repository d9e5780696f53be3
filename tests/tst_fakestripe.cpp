// The fake Stripe server, checked through a real QNetworkAccessManager: the other tests trust it to behave
// like Stripe (pagination, filters, auth and error bodies, failure switches, keep-alive).
#include "fakestripeserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {

const QByteArray kKey = "sk_test_mako";

struct Reply
{
    bool finished = false;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QHash<QByteArray, QByteArray> headers; // lower-cased names
};

QString nameOf(int n, const char *prefix = "cus_")
{
    return QString::fromLatin1(prefix) + QStringLiteral("%1").arg(n, 10, 10, QLatin1Char('0'));
}

} // namespace

class TestFakeStripe : public QObject
{
    Q_OBJECT

private:
    QNetworkRequest request(const QString &pathAndQuery, const QByteArray &key = kKey) const
    {
        QNetworkRequest request(QUrl(m_server->baseUrl().toString() + pathAndQuery));
        if (!key.isNull())
            request.setRawHeader("Authorization", "Bearer " + key);
        return request;
    }

    static Reply wait(QNetworkReply *reply)
    {
        std::unique_ptr<QNetworkReply> owner(reply);
        Reply result;
        if (!reply->isFinished()) {
            QSignalSpy spy(reply, &QNetworkReply::finished);
            if (!spy.wait(15000))
                return result;
        }
        result.finished = true;
        result.error = reply->error();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.json = QJsonDocument::fromJson(result.body).object();
        for (const auto &pair : reply->rawHeaderPairs())
            result.headers.insert(pair.first.toLower(), pair.second);
        return result;
    }

    Reply get(const QString &pathAndQuery, const QByteArray &key = kKey)
    {
        return wait(m_nam.get(request(pathAndQuery, key)));
    }

    static QStringList idsOf(const Reply &reply)
    {
        QStringList ids;
        const QJsonArray data = reply.json.value(QLatin1String("data")).toArray();
        for (const QJsonValue &record : data)
            ids.append(record.toObject().value(QLatin1String("id")).toString());
        return ids;
    }

    QNetworkAccessManager m_nam;
    std::unique_ptr<FakeStripeServer> m_server;

private slots:
    void init()
    {
        m_server = std::make_unique<FakeStripeServer>();
        QVERIFY(m_server->start());
        QVERIFY(m_server->port() != 0);
    }

    void cleanup()
    {
        m_server.reset();
        m_nam.clearConnectionCache();
    }

    void paginationWalksAllRecordsNewestFirst()
    {
        m_server->seed(QStringLiteral("customers"), 250);
        QStringList walked;
        QString cursor;
        int pages = 0;
        for (bool more = true; more; ++pages) {
            QVERIFY(pages < 10);
            QString target = QStringLiteral("/v1/customers?limit=100");
            if (!cursor.isEmpty())
                target += QStringLiteral("&starting_after=") + cursor;
            const Reply reply = get(target);
            QVERIFY(reply.finished);
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.json.value(QLatin1String("object")).toString(), QStringLiteral("list"));
            QCOMPARE(reply.json.value(QLatin1String("url")).toString(), QStringLiteral("/v1/customers"));
            QVERIFY(!reply.json.contains(QLatin1String("total_count")));
            const QStringList ids = idsOf(reply);
            QVERIFY(!ids.isEmpty());
            walked += ids;
            cursor = ids.last();
            more = reply.json.value(QLatin1String("has_more")).toBool();
        }
        QCOMPARE(pages, 3);
        QCOMPARE(m_server->listRequestCount(QStringLiteral("customers")), 3);
        QCOMPARE(walked.size(), 250);
        QCOMPARE(walked.first(), nameOf(250));
        QCOMPARE(walked.last(), nameOf(1));
        QCOMPARE(walked, m_server->ids(QStringLiteral("customers")));
        QCOMPARE(QSet<QString>(walked.begin(), walked.end()).size(), 250);
    }

    void defaultLimitAndEndingBefore()
    {
        m_server->seed(QStringLiteral("charges"), 60);
        Reply reply = get(QStringLiteral("/v1/charges"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(idsOf(reply).size(), 10);
        QCOMPARE(idsOf(reply).first(), nameOf(60, "ch_"));
        QVERIFY(reply.json.value(QLatin1String("has_more")).toBool());

        reply = get(QStringLiteral("/v1/charges?limit=5&ending_before=") + nameOf(50, "ch_"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(idsOf(reply), QStringList({nameOf(55, "ch_"), nameOf(54, "ch_"), nameOf(53, "ch_"),
                                            nameOf(52, "ch_"), nameOf(51, "ch_")}));
        QVERIFY(reply.json.value(QLatin1String("has_more")).toBool());

        reply = get(QStringLiteral("/v1/charges?limit=5&ending_before=") + nameOf(58, "ch_"));
        QCOMPARE(idsOf(reply), QStringList({nameOf(60, "ch_"), nameOf(59, "ch_")}));
        QVERIFY(!reply.json.value(QLatin1String("has_more")).toBool());
    }

    void badLimit_data()
    {
        QTest::addColumn<QString>("limit");
        QTest::newRow("zero") << QStringLiteral("0");
        QTest::newRow("negative") << QStringLiteral("-1");
        QTest::newRow("too big") << QStringLiteral("101");
        QTest::newRow("not a number") << QStringLiteral("ten");
    }

    void badLimit()
    {
        QFETCH(QString, limit);
        const Reply reply = get(QStringLiteral("/v1/customers?limit=") + limit);
        QCOMPARE(reply.status, 400);
        const QJsonObject error = reply.json.value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QCOMPARE(error.value(QLatin1String("param")).toString(), QStringLiteral("limit"));
        QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
        QCOMPARE(m_server->listRequestCount(QStringLiteral("customers")), 0);
    }

    void unknownCursorIsAnError()
    {
        m_server->seed(QStringLiteral("customers"), 5);
        const Reply reply = get(QStringLiteral("/v1/customers?starting_after=cus_nope"));
        QCOMPARE(reply.status, 400);
        const QJsonObject error = reply.json.value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("resource_missing"));
        QCOMPARE(error.value(QLatin1String("param")).toString(), QStringLiteral("starting_after"));
        QCOMPARE(error.value(QLatin1String("message")).toString(),
                 QStringLiteral("No such customer: 'cus_nope'"));
    }

    void authErrors()
    {
        m_server->setApiKey(QStringLiteral("sk_test_right0000"));
        Reply reply = get(QStringLiteral("/v1/customers"), "sk_test_badkwxyz");
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.error, QNetworkReply::AuthenticationRequiredError);
        const QJsonObject error = reply.json.value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QCOMPARE(error.value(QLatin1String("message")).toString(),
                 QStringLiteral("Invalid API Key provided: sk_test_****wxyz"));
        QVERIFY(!reply.body.contains("badk"));

        reply = get(QStringLiteral("/v1/account"), QByteArray());
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.json.value(QLatin1String("error"))
                    .toObject()
                    .value(QLatin1String("message"))
                    .toString()
                    .startsWith(QLatin1String("You did not provide an API key.")));

        reply = get(QStringLiteral("/v1/account"), "sk_test_right0000");
        QCOMPARE(reply.status, 200);

        // HTTP Basic with the key as user name works too, as with Stripe.
        QNetworkRequest basic = request(QStringLiteral("/v1/account"), QByteArray());
        basic.setRawHeader("Authorization", "Basic " + QByteArray("sk_test_right0000:").toBase64());
        reply = wait(m_nam.get(basic));
        QCOMPARE(reply.status, 200);
    }

    void account()
    {
        const Reply reply = get(QStringLiteral("/v1/account"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json.value(QLatin1String("id")).toString(), QStringLiteral("acct_1Mako"));
        QCOMPARE(reply.json.value(QLatin1String("object")).toString(), QStringLiteral("account"));
        QVERIFY(!reply.json.value(QLatin1String("email")).toString().isEmpty());
        QCOMPARE(reply.json.value(QLatin1String("settings"))
                     .toObject()
                     .value(QLatin1String("dashboard"))
                     .toObject()
                     .value(QLatin1String("display_name"))
                     .toString(),
                 QStringLiteral("Mako Test Co"));
        QVERIFY(reply.headers.value("request-id").startsWith("req_"));
    }

    void unknownPath()
    {
        const Reply reply = get(QStringLiteral("/v1/foo"));
        QCOMPARE(reply.status, 404);
        const QJsonObject error = reply.json.value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(error.value(QLatin1String("message"))
                    .toString()
                    .startsWith(QLatin1String("Unrecognized request URL (GET: /v1/foo)")));
    }

    void retrieveOne()
    {
        m_server->seed(QStringLiteral("prices"), 3);
        Reply reply = get(QStringLiteral("/v1/prices/") + nameOf(2, "price_"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, m_server->recordJson(QStringLiteral("prices"), nameOf(2, "price_")));
        reply = get(QStringLiteral("/v1/prices/price_nope"));
        QCOMPARE(reply.status, 404);
    }

    void rateLimit_data()
    {
        QTest::addColumn<bool>("httpDate");
        QTest::newRow("seconds") << false;
        QTest::newRow("http-date") << true;
    }

    void rateLimit()
    {
        QFETCH(bool, httpDate);
        m_server->seed(QStringLiteral("customers"), 5);
        m_server->setRateLimitEvery(3, 7, httpDate);
        QCOMPARE(get(QStringLiteral("/v1/customers")).status, 200);
        QCOMPARE(get(QStringLiteral("/v1/account")).status, 200);
        const Reply limited = get(QStringLiteral("/v1/customers"));
        QCOMPARE(limited.status, 429);
        QCOMPARE(
            limited.json.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("rate_limit_error"));
        const QByteArray retryAfter = limited.headers.value("retry-after");
        if (httpDate) {
            const QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(retryAfter),
                                                           QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
            QVERIFY2(when.isValid(), retryAfter.constData());
            QDateTime utc = when;
            utc.setTimeSpec(Qt::UTC);
            const qint64 ahead = QDateTime::currentDateTimeUtc().secsTo(utc);
            QVERIFY2(ahead >= 5 && ahead <= 8, QByteArray::number(ahead).constData());
        } else {
            QCOMPARE(retryAfter, QByteArray("7"));
        }
        QCOMPARE(get(QStringLiteral("/v1/customers")).status, 200);
        QCOMPARE(m_server->listRequestCount(QStringLiteral("customers")), 2);

        m_server->setRateLimitEvery(0, 0);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(get(QStringLiteral("/v1/customers")).status, 200);
    }

    void failNext()
    {
        m_server->failNext(2, 503);
        Reply reply = get(QStringLiteral("/v1/customers"));
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.json.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
                 QStringLiteral("api_error"));
        QCOMPARE(get(QStringLiteral("/v1/customers")).status, 503);
        QCOMPARE(get(QStringLiteral("/v1/customers")).status, 200);
        m_server->failNext(1, 500);
        QCOMPARE(get(QStringLiteral("/v1/account")).status, 500);
        QCOMPARE(get(QStringLiteral("/v1/account")).status, 200);
    }

    void malformedPage_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("truncated") << int(FakeStripeServer::Malformed::Truncated);
        QTest::newRow("missing data") << int(FakeStripeServer::Malformed::MissingData);
    }

    void malformedPage()
    {
        QFETCH(int, kind);
        m_server->seed(QStringLiteral("invoices"), 300);
        m_server->setMalformedPage(QStringLiteral("invoices"), 1, FakeStripeServer::Malformed(kind));
        const Reply first = get(QStringLiteral("/v1/invoices?limit=100"));
        QCOMPARE(first.status, 200);
        QCOMPARE(idsOf(first).size(), 100);

        const QString second = QStringLiteral("/v1/invoices?limit=100&starting_after=") + idsOf(first).last();
        for (int attempt = 0; attempt < 2; ++attempt) { // stays broken: a retry gets the same page
            const Reply broken = get(second);
            QCOMPARE(broken.status, 200);
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(broken.body, &parseError);
            if (FakeStripeServer::Malformed(kind) == FakeStripeServer::Malformed::Truncated) {
                QVERIFY(parseError.error != QJsonParseError::NoError);
            } else {
                QCOMPARE(parseError.error, QJsonParseError::NoError);
                QVERIFY(document.isObject());
                QVERIFY(!document.object().contains(QLatin1String("data")));
            }
        }
        const Reply third =
            get(QStringLiteral("/v1/invoices?limit=100&starting_after=") + nameOf(101, "in_"));
        QCOMPARE(third.status, 200);
        QCOMPARE(idsOf(third).size(), 100);

        m_server->setMalformedPage(QStringLiteral("invoices"), -1);
        QCOMPARE(idsOf(get(second)).size(), 100);
    }

    void createdFilters_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("newest");
        QTest::addColumn<int>("oldest");
        QTest::newRow("gte") << QStringLiteral("created[gte]=1700000091") << 100 << 91;
        QTest::newRow("gt") << QStringLiteral("created[gt]=1700000091") << 100 << 92;
        QTest::newRow("lte") << QStringLiteral("created[lte]=1700000005") << 5 << 1;
        QTest::newRow("lt") << QStringLiteral("created[lt]=1700000005") << 4 << 1;
        QTest::newRow("range") << QStringLiteral("created[gte]=1700000010&created[lt]=1700000020") << 19
                               << 10;
        QTest::newRow("exact") << QStringLiteral("created=1700000042") << 42 << 42;
        QTest::newRow("encoded") << QStringLiteral("created%5Bgte%5D=1700000099") << 100 << 99;
        QTest::newRow("none match") << QStringLiteral("created[gt]=1700000100") << 0 << 1;
    }

    void createdFilters()
    {
        QFETCH(QString, filter);
        QFETCH(int, newest);
        QFETCH(int, oldest);
        m_server->seed(QStringLiteral("customers"), 100, 1700000000);
        const int expected = newest - oldest + 1;
        const Reply reply = get(QStringLiteral("/v1/customers?limit=100&include[]=total_count&") + filter);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json.value(QLatin1String("total_count")).toInt(-1), expected);
        const QStringList ids = idsOf(reply);
        QCOMPARE(ids.size(), expected);
        if (expected > 0) {
            QCOMPARE(ids.first(), nameOf(newest));
            QCOMPARE(ids.last(), nameOf(oldest));
        }
        QVERIFY(!reply.json.value(QLatin1String("has_more")).toBool());
    }

    void filteredPaginationAndTotalCount()
    {
        m_server->seed(QStringLiteral("refunds"), 95, 1700000000);
        QStringList walked;
        QString cursor;
        for (bool more = true; more;) {
            QString target =
                QStringLiteral("/v1/refunds?limit=7&created[gte]=1700000021&include[]=total_count");
            if (!cursor.isEmpty())
                target += QStringLiteral("&starting_after=") + cursor;
            const Reply reply = get(target);
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.json.value(QLatin1String("total_count")).toInt(), 75);
            walked += idsOf(reply);
            QVERIFY(!walked.isEmpty());
            cursor = walked.last();
            more = reply.json.value(QLatin1String("has_more")).toBool();
        }
        QCOMPARE(walked.size(), 75);
        QCOMPARE(walked, m_server->ids(QStringLiteral("refunds")).mid(0, 75));
        QCOMPARE(m_server->listRequestCount(QStringLiteral("refunds")), 11);
    }

    void mutations()
    {
        const QString customers = QStringLiteral("customers");
        m_server->seed(customers, 10);
        m_server->addRecords(customers, 3);
        QCOMPARE(m_server->count(customers), 13);
        QCOMPARE(m_server->ids(customers).first(), nameOf(13));
        const QJsonObject added =
            QJsonDocument::fromJson(m_server->recordJson(customers, nameOf(13))).object();
        QCOMPARE(added.value(QLatin1String("created")).toInteger(), 1700000013);

        m_server->updateRecord(customers, nameOf(4), "email", QStringLiteral("new@example.com"));
        m_server->updateRecord(customers, nameOf(4), "metadata",
                               QJsonObject{{QStringLiteral("plan"), QStringLiteral("gold")}});
        m_server->updateRecord(customers, nameOf(4), "x_new_field", 42);
        const Reply reply = get(QStringLiteral("/v1/customers/") + nameOf(4));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json.value(QLatin1String("email")).toString(), QStringLiteral("new@example.com"));
        QCOMPARE(
            reply.json.value(QLatin1String("metadata")).toObject().value(QLatin1String("plan")).toString(),
            QStringLiteral("gold"));
        QCOMPARE(reply.json.value(QLatin1String("x_new_field")).toInt(), 42);
        QCOMPARE(reply.json.value(QLatin1String("id")).toString(), nameOf(4));

        // A newer created moves the record to the head of the list.
        m_server->updateRecord(customers, nameOf(2), "created", 1800000000);
        QCOMPARE(idsOf(get(QStringLiteral("/v1/customers?limit=2"))), QStringList({nameOf(2), nameOf(13)}));

        m_server->removeRecord(customers, nameOf(5));
        QCOMPARE(m_server->count(customers), 12);
        QVERIFY(m_server->recordJson(customers, nameOf(5)).isEmpty());
        QVERIFY(!idsOf(get(QStringLiteral("/v1/customers?limit=100"))).contains(nameOf(5)));
    }

    void recordsAreStripeShaped_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("object");
        const QStringList objects = {"customer", "charge",         "invoice", "subscription",       "product",
                                     "price",    "payment_intent", "refund",  "balance_transaction"};
        const QStringList entities = FakeStripeServer::entities();
        QCOMPARE(entities.size(), objects.size());
        for (int i = 0; i < entities.size(); ++i)
            QTest::newRow(qPrintable(entities[i])) << entities[i] << objects[i];
    }

    void recordsAreStripeShaped()
    {
        QFETCH(QString, entity);
        QFETCH(QString, object);
        m_server->seed(entity, 50, 1650000000);
        const QByteArray prefix = FakeStripeServer::idPrefix(entity);
        QVERIFY(!prefix.isEmpty());
        const Reply reply = get(QStringLiteral("/v1/") + entity + QStringLiteral("?limit=100"));
        QCOMPARE(reply.status, 200);
        const QJsonArray data = reply.json.value(QLatin1String("data")).toArray();
        QCOMPARE(data.size(), 50);
        qint64 bytes = 0;
        qint64 previousCreated = std::numeric_limits<qint64>::max();
        for (const QJsonValue &value : data) {
            const QJsonObject record = value.toObject();
            const QString id = record.value(QLatin1String("id")).toString();
            QVERIFY2(id.startsWith(QLatin1String(prefix)), qPrintable(id));
            QCOMPARE(record.value(QLatin1String("object")).toString(), object);
            const qint64 created = record.value(QLatin1String("created")).toInteger();
            QVERIFY(created < previousCreated);
            previousCreated = created;
            const QByteArray json = m_server->recordJson(entity, id);
            QCOMPARE(QJsonDocument::fromJson(json).object(), record);
            bytes += json.size();
        }
        QCOMPARE(previousCreated, 1650000001);
        const qint64 average = bytes / data.size();
        QVERIFY2(average >= 450 && average <= 1000, QByteArray::number(average).constData());

        // Deterministic: the same seed renders the same bytes.
        const QByteArray before =
            m_server->recordJson(entity, QString::fromLatin1(prefix) + QStringLiteral("0000000007"));
        m_server->seed(entity, 50, 1650000000);
        QCOMPARE(m_server->recordJson(entity, QString::fromLatin1(prefix) + QStringLiteral("0000000007")),
                 before);
    }

    void keepAlive()
    {
        m_server->seed(QStringLiteral("products"), 20);
        for (int i = 0; i < 30; ++i)
            QCOMPARE(get(QStringLiteral("/v1/products?limit=3")).status, 200);
        QCOMPARE(m_server->requestCount(), 30);
        QVERIFY2(m_server->connectionCount() <= 2,
                 QByteArray::number(m_server->connectionCount()).constData());
    }

    void latencyDoesNotBlockOtherConnections()
    {
        m_server->setLatencyMs(500);
        QElapsedTimer timer;
        timer.start();
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 4; ++i)
            replies.append(m_nam.get(request(QStringLiteral("/v1/account"))));
        for (QNetworkReply *reply : replies)
            QCOMPARE(wait(reply).status, 200);
        const qint64 elapsed = timer.elapsed();
        QVERIFY2(elapsed >= 490, QByteArray::number(elapsed).constData());
        QVERIFY2(elapsed < 1500, QByteArray::number(elapsed).constData()); // served one after the other: 2000
    }

    void dropConnections()
    {
        // QNAM resends a request on its own when a connection closes before the answer, so drop several.
        m_server->dropNext(10);
        const Reply dropped = get(QStringLiteral("/v1/account"));
        QVERIFY(dropped.finished);
        QCOMPARE(dropped.status, 0);
        QVERIFY(dropped.error != QNetworkReply::NoError);
        m_server->dropNext(0);
        QCOMPARE(get(QStringLiteral("/v1/account")).status, 200);
    }

    void requestParsingAndLog()
    {
        QNetworkRequest post = request(QStringLiteral("/v1/a%20b?email=a%2Bb%40example.com&x=1+2"));
        post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
        const QByteArray body = QByteArray("name=") + QByteArray(100000, 'x');
        const Reply reply = wait(m_nam.post(post, body));
        QCOMPARE(reply.status, 404);
        QVERIFY(reply.json.value(QLatin1String("error"))
                    .toObject()
                    .value(QLatin1String("message"))
                    .toString()
                    .startsWith(QLatin1String("Unrecognized request URL (POST: /v1/a b)")));

        const QList<FakeRequest> requests = m_server->requests();
        QCOMPARE(requests.size(), 1);
        const FakeRequest &seen = requests.first();
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.path, QStringLiteral("/v1/a b")); // decoded
        QCOMPARE(seen.query.queryItemValue(QStringLiteral("email"), QUrl::FullyDecoded),
                 QStringLiteral("a+b@example.com"));
        QCOMPARE(seen.query.queryItemValue(QStringLiteral("x"), QUrl::FullyDecoded), QStringLiteral("1 2"));
        QCOMPARE(seen.body, body);
        QCOMPARE(seen.headers.value("authorization"), "Bearer " + kKey);
        QCOMPARE(seen.index, 1);
        QCOMPARE(m_server->requestLog(),
                 QList<QByteArray>({"/v1/a%20b?email=a%2Bb%40example.com&x=1+2"})); // as sent

        m_server->setKeepLog(false);
        QCOMPARE(get(QStringLiteral("/v1/account")).status, 200);
        QCOMPARE(m_server->requestLog().size(), 1);
        QCOMPARE(m_server->requestCount(), 2);
        m_server->clearRequestLog();
        QVERIFY(m_server->requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFakeStripe)
#include "tst_fakestripe.moc"
