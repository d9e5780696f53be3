// A table header with a filter box under each column (the DB Browser for SQLite way): the boxes sit in the
// header's bottom margin and follow section moves, resizes and horizontal scrolling. GUI thread.
#pragma once

#include <QHeaderView>
#include <QList>

class QLineEdit;
class QTableView;

class FilterHeader : public QHeaderView
{
    Q_OBJECT
public:
    explicit FilterHeader(QTableView *table);

    // One box per column: adds or removes boxes at the end; the others keep their text.
    void setFilterCount(int count);
    int filterCount() const { return int(m_editors.size()); }
    QString filterText(int column) const;
    void setFilterText(int column, const QString &text);
    QLineEdit *filterEditor(int column) const { return m_editors.value(column); }
    void clearFilters(); // without emitting filterChanged

    QSize sizeHint() const override;

signals:
    void filterChanged(int column, const QString &text);

protected:
    void updateGeometries() override;

private:
    void adjustPositions();

    QList<QLineEdit *> m_editors;
};
