//! Zoom and pan arithmetic of the graph view (pure, unit-tested natively).

/// The transform from drawing coordinates to the viewport: `screen = drawing * scale + (tx, ty)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewTransform {
    pub scale: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Default for ViewTransform {
    fn default() -> Self {
        ViewTransform {
            scale: 1.0,
            tx: 0.0,
            ty: 0.0,
        }
    }
}

pub const MIN_SCALE: f64 = 0.1;
pub const MAX_SCALE: f64 = 4.0;
/// Below this scale a state's name (13 px) is too small to read: Fit shows the top of the
/// drawing at a readable size instead of all of it.
pub const LEGIBLE_SCALE: f64 = 0.45;
/// Zoom factor of one button press or key press.
pub const ZOOM_STEP: f64 = 1.25;

impl ViewTransform {
    /// The SVG `transform` attribute value.
    pub fn to_svg(self) -> String {
        format!(
            "translate({:.2},{:.2}) scale({:.4})",
            self.tx, self.ty, self.scale
        )
    }

    /// Fits a drawing of `width` x `height` into a viewport of `view_width` x `view_height`,
    /// centred, never enlarged past 100%. A viewport with no size (hidden) keeps 100%. When
    /// the whole drawing would be too small to read (a chain of hundreds of states), its top
    /// is shown at a readable size instead, as wide as the viewport allows: the Start is in
    /// view and the rest a pan or a wheel away.
    pub fn fit(width: f64, height: f64, view_width: f64, view_height: f64) -> ViewTransform {
        if !(width > 0.0 && height > 0.0 && view_width > 0.0 && view_height > 0.0) {
            return ViewTransform::default();
        }
        let scale = (view_width / width)
            .min(view_height / height)
            .clamp(MIN_SCALE, 1.0);
        if scale >= LEGIBLE_SCALE {
            return ViewTransform {
                scale,
                tx: (view_width - width * scale) / 2.0,
                ty: (view_height - height * scale) / 2.0,
            };
        }
        let scale = (view_width / width).clamp(LEGIBLE_SCALE, 1.0);
        ViewTransform {
            scale,
            tx: ((view_width - width * scale) / 2.0).max(0.0),
            ty: 0.0,
        }
    }

    /// Zooms by `factor` keeping the viewport point (`px`, `py`) fixed under the pointer.
    pub fn zoom_at(self, factor: f64, px: f64, py: f64) -> ViewTransform {
        if !factor.is_finite() || factor <= 0.0 {
            return self;
        }
        let scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let k = scale / self.scale;
        ViewTransform {
            scale,
            tx: px - (px - self.tx) * k,
            ty: py - (py - self.ty) * k,
        }
    }

    /// Moves the drawing by (`dx`, `dy`) viewport pixels.
    pub fn pan(self, dx: f64, dy: f64) -> ViewTransform {
        ViewTransform {
            tx: self.tx + dx,
            ty: self.ty + dy,
            ..self
        }
    }
}

/// The zoom factor of a wheel movement (`deltaY` in pixels; up zooms in).
pub fn wheel_factor(delta_y: f64) -> f64 {
    (-delta_y.clamp(-500.0, 500.0) * 0.0015).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_centres_and_never_enlarges() {
        let t = ViewTransform::fit(200.0, 100.0, 400.0, 400.0);
        assert_eq!(t.scale, 1.0);
        assert_eq!((t.tx, t.ty), (100.0, 150.0));
        let t = ViewTransform::fit(800.0, 400.0, 400.0, 400.0);
        assert_eq!(t.scale, 0.5);
        assert_eq!((t.tx, t.ty), (0.0, 100.0));
        assert_eq!(
            ViewTransform::fit(800.0, 400.0, 0.0, 0.0),
            ViewTransform::default()
        );
    }

    #[test]
    fn zoom_keeps_the_point_under_the_pointer() {
        let t = ViewTransform {
            scale: 1.0,
            tx: 10.0,
            ty: 20.0,
        };
        let z = t.zoom_at(2.0, 110.0, 70.0);
        // The drawing point under (110, 70) was (100, 50); it stays there.
        assert_eq!(
            (100.0 * z.scale + z.tx, 50.0 * z.scale + z.ty),
            (110.0, 70.0)
        );
        assert_eq!(t.zoom_at(100.0, 0.0, 0.0).scale, MAX_SCALE);
        assert_eq!(t.zoom_at(f64::NAN, 0.0, 0.0), t);
        assert!(wheel_factor(-100.0) > 1.0 && wheel_factor(100.0) < 1.0);
    }

    #[test]
    fn a_drawing_too_tall_to_read_whole_shows_its_top_readable() {
        // A chain of 300 states: 200 px wide, 24,600 px tall, in a 600 x 400 view.
        let t = ViewTransform::fit(200.0, 24_600.0, 600.0, 400.0);
        assert_eq!(t.scale, 1.0);
        assert_eq!((t.tx, t.ty), (200.0, 0.0));
        // Too wide as well: the top-left corner at the smallest readable size.
        let t = ViewTransform::fit(6_000.0, 24_600.0, 600.0, 400.0);
        assert_eq!(t.scale, LEGIBLE_SCALE);
        assert_eq!((t.tx, t.ty), (0.0, 0.0));
    }
}
