// Fills a QTreeWidget with a JSON document (field, value; the type in the tooltip), objects and arrays as
// branches, and offers copy of a value, its path or the whole record. GUI thread.
#pragma once

#include <QByteArray>

class QTreeWidget;
class QTreeWidgetItem;

namespace JsonTree {
enum Role { PathRole = 0x0100 + 10, JsonRole, TypeRole };
// Replaces the tree's content with `json`; returns false (and shows the raw text) when it is not JSON.
bool populate(QTreeWidget *tree, const QByteArray &json);
// Adds the context menu (Copy value / Copy path / Copy record) to `tree`.
void installContextMenu(QTreeWidget *tree);
QString valueText(QTreeWidgetItem *item);
} // namespace JsonTree
