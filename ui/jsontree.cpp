#include "jsontree.h"

#include "format.h"

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

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    default:
        return QStringLiteral("null");
    }
}

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

void addValue(QTreeWidgetItem *item, const QString &path, const QJsonValue &value)
{
    item->setData(0, PathRole, path);
    item->setData(0, JsonRole, compact(value));
    item->setToolTip(0, QStringLiteral("%1 (%2)").arg(path, typeName(value)));
    item->setData(0, TypeRole, typeName(value));
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        item->setText(1, QStringLiteral("{%1}").arg(
                             Format::plural(object.size(), QObject::tr("field"), QObject::tr("fields"))));
        for (auto it = object.begin(); it != object.end(); ++it) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, it.key());
            addValue(child, path + QLatin1Char('.') + it.key(), it.value());
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        item->setText(1, QStringLiteral("[%1]").arg(
                             Format::plural(array.size(), QObject::tr("item"), QObject::tr("items"))));
        for (int i = 0; i < array.size(); ++i) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, QStringLiteral("[%1]").arg(i));
            addValue(child, QStringLiteral("%1[%2]").arg(path).arg(i), array.at(i));
        }
    } else {
        const QString text = compact(value);
        item->setText(1, text);
        item->setToolTip(1, text.size() > 80 ? text : QString());
        if (value.isNull())
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
    const QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    if (root.isObject()) {
        const QJsonObject object = root.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            auto *item = new QTreeWidgetItem(tree);
            item->setText(0, it.key());
            addValue(item, it.key(), it.value());
        }
    } else {
        auto *item = new QTreeWidgetItem(tree);
        item->setText(0, QStringLiteral("$"));
        addValue(item, QStringLiteral("$"), root);
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
