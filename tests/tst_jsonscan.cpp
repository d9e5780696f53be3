// The hot-path JSON scanner: members and elements as byte ranges of the page, validated as it goes.
#include "jsonscan.h"

#include <QTest>

class TestJsonScan : public QObject
{
    Q_OBJECT

private slots:
    void compactDropsOnlyBlanksBetweenTokens_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("jsonb text") << QByteArray("{\"a\": 1, \"b\": [2, 3], \"c\": {\"d\": null}}")
                                    << QByteArray("{\"a\":1,\"b\":[2,3],\"c\":{\"d\":null}}");
        QTest::newRow("blanks in strings stay") << QByteArray("{\"say\": \"a, b: c\", \"t\": \"\\t\"}")
                                                << QByteArray("{\"say\":\"a, b: c\",\"t\":\"\\t\"}");
        QTest::newRow("escaped quote") << QByteArray("{\"q\": \"he said \\\"x, y\\\" \", \"n\": 2}")
                                       << QByteArray("{\"q\":\"he said \\\"x, y\\\" \",\"n\":2}");
        QTest::newRow("escaped backslash ends")
            << QByteArray("[\"a\\\\\", 1]") << QByteArray("[\"a\\\\\",1]");
        QTest::newRow("newlines") << QByteArray("{\n  \"a\" :\r\n 1\n}") << QByteArray("{\"a\":1}");
    }
    void compactDropsOnlyBlanksBetweenTokens()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, expected);
        QCOMPARE(JsonScan::compact(json), expected);
    }

    void member_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("ok");
        QTest::newRow("string") << QByteArray("{\"id\":\"cus_1\",\"n\":2}") << QByteArray("id")
                                << QByteArray("\"cus_1\"") << true;
        QTest::newRow("number") << QByteArray("{\"id\":\"cus_1\",\"n\":-2.5e3}") << QByteArray("n")
                                << QByteArray("-2.5e3") << true;
        QTest::newRow("spaces") << QByteArray("{ \"a\" :\n [1, 2] , \"b\": true }") << QByteArray("a")
                                << QByteArray("[1, 2]") << true;
        QTest::newRow("nested path") << QByteArray("{\"data\":{\"items\":[{\"x\":1}],\"next\":null}}")
                                     << QByteArray("data.items") << QByteArray("[{\"x\":1}]") << true;
        QTest::newRow("brackets in strings") << QByteArray("{\"a\":\"}]{[\",\"b\":{\"c\":\"\\\"}\"},\"d\":1}")
                                             << QByteArray("d") << QByteArray("1") << true;
        QTest::newRow("escaped quote before key")
            << QByteArray("{\"a\":\"x\\\\\",\"id\":7}") << QByteArray("id") << QByteArray("7") << true;
        QTest::newRow("absent") << QByteArray("{\"a\":1}") << QByteArray("id") << QByteArray() << true;
        QTest::newRow("empty object") << QByteArray("{}") << QByteArray("id") << QByteArray() << true;
        QTest::newRow("truncated") << QByteArray("{\"a\":[1,2,{\"b\":") << QByteArray("z") << QByteArray()
                                   << false;
        QTest::newRow("not an object") << QByteArray("[1]") << QByteArray("a") << QByteArray() << false;
        QTest::newRow("bad literal") << QByteArray("{\"a\":tru,\"b\":1}") << QByteArray("b") << QByteArray()
                                     << false;
        QTest::newRow("unterminated string")
            << QByteArray("{\"a\":\"abc") << QByteArray("a") << QByteArray() << false;
        QTest::newRow("mismatched brackets")
            << QByteArray("{\"a\":[1,2}, \"b\":1}") << QByteArray("b") << QByteArray() << false;
    }

    void member()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, expected);
        QFETCH(bool, ok);
        JsonScan::Result result;
        const QByteArrayView value = JsonScan::member(json, path, &result);
        QCOMPARE(result.ok, ok);
        QCOMPARE(value.toByteArray(), expected);
        if (!ok)
            QVERIFY(!result.error.isEmpty());
    }

    void elements_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QList<QByteArray>>("expected");
        QTest::addColumn<bool>("ok");
        QTest::newRow("empty") << QByteArray("[ ]") << QList<QByteArray>{} << true;
        QTest::newRow("objects") << QByteArray("[{\"id\":\"a\",\"x\":[1]}, {\"id\":\"b\"}]")
                                 << QList<QByteArray>{"{\"id\":\"a\",\"x\":[1]}", "{\"id\":\"b\"}"} << true;
        QTest::newRow("mixed") << QByteArray("[1,\"two\",null,[3]]")
                               << QList<QByteArray>{"1", "\"two\"", "null", "[3]"} << true;
        QTest::newRow("truncated") << QByteArray("[{\"id\":\"a\"},{\"id\":")
                                   << QList<QByteArray>{"{\"id\":\"a\"}"} << false;
        QTest::newRow("missing comma") << QByteArray("[1 2]") << QList<QByteArray>{"1"} << false;
    }

    void elements()
    {
        QFETCH(QByteArray, json);
        QFETCH(QList<QByteArray>, expected);
        QFETCH(bool, ok);
        JsonScan::Result result;
        const QList<QByteArrayView> items = JsonScan::elements(json, &result);
        QCOMPARE(result.ok, ok);
        QList<QByteArray> got;
        for (QByteArrayView item : items)
            got.append(item.toByteArray());
        QCOMPARE(got, expected);
    }

    void keyText_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("key");
        QTest::newRow("plain") << QByteArray("\"cus_1\"") << QByteArray("cus_1");
        QTest::newRow("escaped") << QByteArray("\"a\\\"b\\u00e9\"") << QByteArray("a\"b\xc3\xa9");
        QTest::newRow("number") << QByteArray("12345") << QByteArray("12345");
    }

    void keyText()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, key);
        QCOMPARE(JsonScan::keyText(raw), key);
    }

    void memberNamesKeepOrder()
    {
        QCOMPARE(JsonScan::memberNames("{\"id\":1,\"object\":\"x\",\"amount\":{\"a\":1},\"created\":2}"),
                 (QStringList{QStringLiteral("id"), QStringLiteral("object"), QStringLiteral("amount"),
                              QStringLiteral("created")}));
    }

    void scanPageInOnePass()
    {
        const QByteArray page =
            "{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"nested\":{\"id\":\"x\"},\"created\":5},"
            "{\"created\":7,\"id\":\"b\\\"q\"},{\"other\":1}],\"has_more\":true}";
        JsonScan::Result result;
        const JsonScan::Page scanned = JsonScan::scanPage(page, "data", {"id", "created"}, &result);
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(scanned.hasArray);
        QCOMPARE(scanned.member("has_more").toByteArray(), QByteArray("true"));
        QCOMPARE(scanned.items.size(), 3);
        QCOMPARE(scanned.items[0].fields[0].toByteArray(),
                 QByteArray("\"a\"")); // the top-level id, not the nested one
        QCOMPARE(scanned.items[0].fields[1].toByteArray(), QByteArray("5"));
        QCOMPARE(JsonScan::keyText(scanned.items[1].fields[0]), QByteArray("b\"q"));
        QVERIFY(scanned.items[2].fields[0].isEmpty());
        QCOMPARE(scanned.items[1].raw.toByteArray(), QByteArray("{\"created\":7,\"id\":\"b\\\"q\"}"));

        const JsonScan::Page missing = JsonScan::scanPage("{\"object\":\"list\"}", "data", {"id"}, &result);
        QVERIFY(!missing.hasArray);
        JsonScan::Result truncated;
        JsonScan::scanPage(page.left(page.size() / 2), "data", {"id"}, &truncated);
        QVERIFY(!truncated.ok);
        const JsonScan::Page bare = JsonScan::scanPage("[{\"id\":1},{\"id\":2}]", "", {"id"}, &result);
        QCOMPARE(bare.items.size(), 2);
        QCOMPARE(bare.items[1].fields[0].toByteArray(), QByteArray("2"));
    }

    void longStringsWithEscapes()
    {
        // Exercises the 16-byte string skipping across escapes and chunk boundaries.
        QByteArray text(100, 'x');
        text[17] = '\\';
        text[18] = '"';
        text[40] = '\\';
        text[41] = '\\';
        const QByteArray json = "{\"a\":\"" + text + "\",\"b\":42}";
        QCOMPARE(JsonScan::member(json, "b").toByteArray(), QByteArray("42"));
    }

    void toValue()
    {
        QCOMPARE(JsonScan::toValue("42").toInteger(), 42);
        QCOMPARE(JsonScan::toValue("\"x\"").toString(), QStringLiteral("x"));
        QVERIFY(JsonScan::toValue("{broken").isUndefined());
    }
};

QTEST_GUILESS_MAIN(TestJsonScan)
#include "tst_jsonscan.moc"
