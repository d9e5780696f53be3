// Search and filter boxes share one behaviour: Esc clears them, as in a browser's find bar. GUI thread.
#pragma once

#include <QKeySequence>
#include <QLineEdit>
#include <QShortcut>

inline void clearOnEscape(QLineEdit *edit)
{
    // A widget shortcut: Esc reaches the box only while it has the focus.
    auto *shortcut = new QShortcut(QKeySequence(Qt::Key_Escape), edit, nullptr, nullptr, Qt::WidgetShortcut);
    QObject::connect(shortcut, &QShortcut::activated, edit, &QLineEdit::clear);
}
