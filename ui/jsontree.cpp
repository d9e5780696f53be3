#include "jsontree.h"

#include "format.h"
#include "jsonscan.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QTreeWidget>

namespace JsonTree {
namespace {

QString compact(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble()) {
        const double d = value.toDouble();
        return d == double(qint64(d)) && qAbs(d) < 9e15 ? QString::number(qint64(d))
                                                        : QString::number(d, 'g', 17);
    }
    return QStringLiteral("null");
}

// JsonScan::members() gives a name as the text between its quotes, escapes and all.
QString memberName(QByteArrayView name)
{
    return name.contains('\\') ? JsonScan::toValue(QByteArray('"' + name.toByteArray() + '"')).toString()
                               : QString::fromUtf8(name);
}

QString rawTypeName(QByteArrayView raw)
{
    switch (raw.isEmpty() ? 'n' : raw.front()) {
    case '{':
        return QStringLiteral("object");
    case '[':
        return QStringLiteral("array");
    case '"':
        return QStringLiteral("string");
    case 't':
    case 'f':
        return QStringLiteral("boolean");
    case 'n':
        return QStringLiteral("null");
    default:
        return QStringLiteral("number");
    }
}

// Walks the raw bytes the API sent (JsonScan), not a QJsonObject: fields keep the API's order instead of
// being sorted, and numbers show exactly as sent (a 19-digit id is not rounded through a double).
void addRaw(QTreeWidgetItem *item, const QString &path, QByteArrayView raw)
{
    raw = raw.trimmed();
    const QString type = rawTypeName(raw);
    item->setData(0, PathRole, path);
    item->setToolTip(0, QStringLiteral("%1 (%2)").arg(path, type));
    item->setData(0, TypeRole, type);
    if (type == QLatin1String("object")) {
        item->setData(0, JsonRole, QString::fromUtf8(raw.data(), raw.size()));
        const auto members = JsonScan::members(raw);
        item->setText(1, QStringLiteral("{%1}").arg(
                             Format::plural(members.size(), QObject::tr("field"), QObject::tr("fields"))));
        for (const auto &member : members) {
            const QString key = memberName(member.first);
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, key);
            addRaw(child, path + QLatin1Char('.') + key, member.second);
        }
    } else if (type == QLatin1String("array")) {
        item->setData(0, JsonRole, QString::fromUtf8(raw.data(), raw.size()));
        const QList<QByteArrayView> elements = JsonScan::elements(raw);
        item->setText(1, QStringLiteral("[%1]").arg(
                             Format::plural(elements.size(), QObject::tr("item"), QObject::tr("items"))));
        for (int i = 0; i < elements.size(); ++i) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, QStringLiteral("[%1]").arg(i));
            addRaw(child, QStringLiteral("%1[%2]").arg(path).arg(i), elements.at(i));
        }
    } else {
        const QString text = type == QLatin1String("number") ? QString::fromUtf8(raw.data(), raw.size())
                                                             : compact(JsonScan::toValue(raw));
        item->setData(0, JsonRole, text);
        item->setText(1, text);
        item->setToolTip(1, text.size() > 80 ? text : QString());
        if (type == QLatin1String("null"))
            item->setForeground(1, QApplication::palette().brush(QPalette::Disabled, QPalette::Text));
    }
}

} // namespace

bool populate(QTreeWidget *tree, const QByteArray &json)
{
    tree->clear();
    if (json.isEmpty())
        return true;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (doc.isNull()) {
        auto *item = new QTreeWidgetItem(tree);
        item->setText(0, QObject::tr("(not JSON)"));
        item->setText(1, QString::fromUtf8(json.left(2000)));
        return false;
    }
    const QByteArrayView raw = QByteArrayView(json).trimmed();
    if (doc.isObject()) {
        for (const auto &member : JsonScan::members(raw)) {
            const QString key = memberName(member.first);
            auto *item = new QTreeWidgetItem(tree);
            item->setText(0, key);
            addRaw(item, key, member.second);
        }
    } else {
        auto *item = new QTreeWidgetItem(tree);
        item->setText(0, QStringLiteral("$"));
        addRaw(item, QStringLiteral("$"), raw);
        item->setExpanded(true);
    }
    tree->resizeColumnToContents(0);
    tree->setColumnWidth(0, qMin(tree->columnWidth(0) + 8, 200));
    return true;
}

QString valueText(QTreeWidgetItem *item)
{
    return item ? item->data(0, JsonRole).toString() : QString();
}

void installContextMenu(QTreeWidget *tree)
{
    tree->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(tree, &QTreeWidget::customContextMenuRequested, tree, [tree](const QPoint &pos) {
        QTreeWidgetItem *item = tree->itemAt(pos);
        if (!item)
            return;
        QMenu menu(tree);
        menu.addAction(QObject::tr("Copy value"), tree,
                       [item] { QApplication::clipboard()->setText(valueText(item)); });
        menu.addAction(QObject::tr("Copy path"), tree,
                       [item] { QApplication::clipboard()->setText(item->data(0, PathRole).toString()); });
        menu.exec(tree->viewport()->mapToGlobal(pos));
    });
}

} // namespace JsonTree
