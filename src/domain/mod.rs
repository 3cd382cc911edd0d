//! Vertex domains: attribute buffers sharing one region allocator, drawn in one multi-draw.
