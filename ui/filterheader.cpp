#include "filterheader.h"
#include "searchfield.h"

#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>

FilterHeader::FilterHeader(QTableView *table)
    : QHeaderView(Qt::Horizontal, table)
{
    setSectionsClickable(true);
    setSortIndicatorShown(true);
    setHighlightSections(false);
    setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    connect(this, &QHeaderView::sectionResized, this, [this] { adjustPositions(); });
    connect(this, &QHeaderView::sectionMoved, this, [this] { adjustPositions(); });
    connect(table->horizontalScrollBar(), &QScrollBar::valueChanged, this, [this] { adjustPositions(); });
}

void FilterHeader::setFilterCount(int count)
{
    // Boxes that still have a column keep their text (a refresh re-samples the same columns).
    while (m_editors.size() > count)
        delete m_editors.takeLast();
    for (int column = int(m_editors.size()); column < count; ++column) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(QStringLiteral("columnFilter_%1").arg(column));
        edit->setPlaceholderText(tr("Filter"));
        edit->setToolTip(tr("Rows whose value contains this text.\n"
                            "Or compare: =value, !=value, >10, >=10, <10, <=10, =null"));
        edit->setClearButtonEnabled(true);
        clearOnEscape(edit);
        connect(edit, &QLineEdit::textChanged, this,
                [this, column](const QString &text) { emit filterChanged(column, text); });
        m_editors.append(edit);
        edit->show();
    }
    updateGeometries();
    adjustPositions();
}

QString FilterHeader::filterText(int column) const
{
    QLineEdit *edit = m_editors.value(column);
    return edit ? edit->text() : QString();
}

void FilterHeader::setFilterText(int column, const QString &text)
{
    if (QLineEdit *edit = m_editors.value(column))
        edit->setText(text);
}

void FilterHeader::clearFilters()
{
    for (QLineEdit *edit : std::as_const(m_editors)) {
        QSignalBlocker block(edit);
        edit->clear();
    }
}

QSize FilterHeader::sizeHint() const
{
    QSize size = QHeaderView::sizeHint();
    if (!m_editors.isEmpty())
        size.setHeight(size.height() + m_editors.first()->sizeHint().height() + 2);
    return size;
}

void FilterHeader::updateGeometries()
{
    // The section labels keep the top; the filter boxes live in the bottom margin.
    if (!m_editors.isEmpty())
        setViewportMargins(0, 0, 0, m_editors.first()->sizeHint().height() + 2);
    else
        setViewportMargins(0, 0, 0, 0);
    QHeaderView::updateGeometries();
    adjustPositions();
}

void FilterHeader::adjustPositions()
{
    const int top = QHeaderView::sizeHint().height();
    for (int column = 0; column < m_editors.size(); ++column) {
        QLineEdit *edit = m_editors.at(column);
        if (column >= count() || isSectionHidden(column)) {
            edit->hide();
            continue;
        }
        edit->setGeometry(sectionViewportPosition(column) + 1, top, sectionSize(column) - 2,
                          edit->sizeHint().height());
        edit->show();
    }
}
