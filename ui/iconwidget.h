// Paints a QIcon (an SvgIconEngine) straight into the widget at paint time: vector rendering at the
// screen's actual devicePixelRatio, so a large connector icon is crisp on any display. Optionally on a light
// rounded tile, so dark brand marks stay readable in dark themes. GUI thread.
#pragma once

#include <QIcon>
#include <QWidget>

class IconWidget : public QWidget
{
    Q_OBJECT
public:
    explicit IconWidget(int side, bool tile, QWidget *parent = nullptr);
    void setIcon(const QIcon &icon);
    QIcon icon() const { return m_icon; }
    QSize sizeHint() const override { return {m_side, m_side}; }

    // Shared by delegates: draws `icon` centred in `rect` on a light rounded tile.
    static void paintTile(QPainter *painter, const QRect &rect, const QIcon &icon, bool enabled = true);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QIcon m_icon;
    int m_side;
    bool m_tile;
};
