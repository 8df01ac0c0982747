//! Render: one file per format; renderers compute nothing.
