//! Vertex formats: which attributes a vertex has and how each is laid out in its own buffer.
//!
//! A [`VertexFormat`] is plain data, checked once when it is built. Each [`Attribute`] gets
//! its own tightly packed VBO (one buffer per attribute, so that writing one attribute touches
//! one buffer), so an attribute's stride is its own size and its offset is always 0.
//!
//! [`AttributeData`] names the Rust types that match an attribute's component type and count,
//! so that a typed write of `[f32; 4]` colours into a `4 × u8` attribute is refused even when
//! the byte counts happen to agree.

use std::fmt;

/// The largest component count GL accepts for one vertex attribute (`vec4`).
pub const MAX_COMPONENTS: u8 = 4;

/// The scalar type of an attribute's components, as stored in its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentType {
    /// `GL_FLOAT`, 4 bytes.
    F32,
    /// `GL_UNSIGNED_BYTE`, 1 byte.
    U8,
    /// `GL_BYTE`, 1 byte.
    I8,
    /// `GL_UNSIGNED_SHORT`, 2 bytes.
    U16,
    /// `GL_SHORT`, 2 bytes.
    I16,
    /// `GL_UNSIGNED_INT`, 4 bytes.
    U32,
    /// `GL_INT`, 4 bytes.
    I32,
}

impl ComponentType {
    /// Size of one component in bytes.
    pub const fn size(self) -> usize {
        match self {
            ComponentType::U8 | ComponentType::I8 => 1,
            ComponentType::U16 | ComponentType::I16 => 2,
            ComponentType::F32 | ComponentType::U32 | ComponentType::I32 => 4,
        }
    }

    /// The GL enum naming this type (`GL_FLOAT`, `GL_UNSIGNED_BYTE`, ...).
    pub const fn gl_enum(self) -> u32 {
        match self {
            ComponentType::F32 => glow::FLOAT,
            ComponentType::U8 => glow::UNSIGNED_BYTE,
            ComponentType::I8 => glow::BYTE,
            ComponentType::U16 => glow::UNSIGNED_SHORT,
            ComponentType::I16 => glow::SHORT,
            ComponentType::U32 => glow::UNSIGNED_INT,
            ComponentType::I32 => glow::INT,
        }
    }
}

/// How an attribute's stored components reach the shader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShaderInput {
    /// As floats (`in float`, `in vecN`): integer components are converted to their value
    /// (`glVertexAttribPointer`, not normalized).
    Float,
    /// As floats in `0.0..=1.0` (unsigned) or `-1.0..=1.0` (signed), as colours usually are
    /// (`glVertexAttribPointer`, normalized). Integer components only.
    Normalized,
    /// As integers (`in int`, `in uint`, `ivecN`, `uvecN`), unconverted
    /// (`glVertexAttribIPointer`). Integer components only.
    Integer,
}

/// One vertex attribute: a shader input location fed from its own buffer.
///
/// [`Attribute::new`] makes a float input (integer components converted to their value);
/// [`Attribute::normalized`] and [`Attribute::integer`] choose the other [`ShaderInput`]s.
/// [`Attribute::matrix`] makes a matrix input (`mat4`, ...), which takes one location per
/// column: `location` to `location + columns - 1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The shader's name for it, for lookups and messages.
    pub name: String,
    /// The shader input location.
    pub location: u32,
    /// Components per vertex (per column, for a matrix), 1 to [`MAX_COMPONENTS`].
    pub count: u8,
    /// Matrix columns, each at its own location: 1 for a scalar or vector, 2 to 4 for a
    /// `matCxR`, whose columns are stored one after another (column-major, as GLSL reads
    /// them).
    pub columns: u8,
    /// The type of each component.
    pub component: ComponentType,
    /// How the components reach the shader.
    pub input: ShaderInput,
}

impl Attribute {
    /// An attribute of `count` components of type `component`, read by the shader as floats.
    pub fn new(
        name: impl Into<String>,
        location: u32,
        count: u8,
        component: ComponentType,
    ) -> Self {
        Attribute {
            name: name.into(),
            location,
            count,
            columns: 1,
            component,
            input: ShaderInput::Float,
        }
    }

    /// A float matrix input of `columns` columns of `rows` components (`mat4` is 4 × 4),
    /// taking locations `location..location + columns`.
    pub fn matrix(name: impl Into<String>, location: u32, columns: u8, rows: u8) -> Self {
        Attribute {
            columns,
            ..Attribute::new(name, location, rows, ComponentType::F32)
        }
    }

    /// This attribute with integer components normalized to the unit range.
    pub fn normalized(mut self) -> Self {
        self.input = ShaderInput::Normalized;
        self
    }

    /// This attribute read by the shader as integers (`in int`, `uvec4`, ...).
    pub fn integer(mut self) -> Self {
        self.input = ShaderInput::Integer;
        self
    }

    /// Components per vertex over every column: `count × columns`.
    pub fn components(&self) -> usize {
        usize::from(self.count) * usize::from(self.columns)
    }

    /// Bytes per vertex of one column (the whole attribute unless it is a matrix).
    pub fn column_size(&self) -> usize {
        usize::from(self.count) * self.component.size()
    }

    /// Bytes per vertex of this attribute, which is also its buffer's stride.
    pub fn size(&self) -> usize {
        self.components() * self.component.size()
    }

    /// The shader locations it takes: one, or one per matrix column.
    pub fn locations(&self) -> std::ops::Range<u32> {
        self.location..self.location.saturating_add(u32::from(self.columns))
    }
}

/// A Rust type that holds one component ([`COUNT`](Self::COUNT) `== 1`) or one vertex's
/// worth of components of an attribute: `f32`, `[f32; 2]`, `[u8; 4]`, or a column-major
/// matrix such as `[[f32; 4]; 4]` for a `mat4` (16 components). Typed writes
/// check [`COMPONENT`](Self::COMPONENT) and [`COUNT`](Self::COUNT) against the attribute, two
/// comparisons of constants, so a wrong type is an error instead of garbage on screen.
///
/// Implement it for a vertex type of one's own (a `#[repr(C)]` `Vec2` of two `f32`s, say)
/// with the component type and count it holds. Writes also check the byte length, so an
/// implementation whose constants disagree with its size is refused, never written past
/// its list.
pub trait AttributeData: bytemuck::Pod {
    /// The component type.
    const COMPONENT: ComponentType;
    /// Components per value: 1 for a scalar, `N` for `[T; N]`, `C × R` for `[[f32; R]; C]`.
    const COUNT: u8;
}

/// Implements [`AttributeData`] for a scalar and its arrays of 1 to 4.
macro_rules! attribute_data {
    ($($scalar:ty => $component:ident),* $(,)?) => {$(
        impl AttributeData for $scalar {
            const COMPONENT: ComponentType = ComponentType::$component;
            const COUNT: u8 = 1;
        }
        attribute_data!(@arrays $scalar => $component: 1, 2, 3, 4);
    )*};
    (@arrays $scalar:ty => $component:ident: $($n:literal),*) => {$(
        impl AttributeData for [$scalar; $n] {
            const COMPONENT: ComponentType = ComponentType::$component;
            const COUNT: u8 = $n;
        }
    )*};
}

attribute_data!(f32 => F32, u8 => U8, i8 => I8, u16 => U16, i16 => I16, u32 => U32, i32 => I32);

/// Implements [`AttributeData`] for the column-major float matrices `[[f32; R]; C]`.
macro_rules! matrix_data {
    ($(($c:literal, $r:literal)),* $(,)?) => {$(
        impl AttributeData for [[f32; $r]; $c] {
            const COMPONENT: ComponentType = ComponentType::F32;
            const COUNT: u8 = $c * $r;
        }
    )*};
}

matrix_data!(
    (2, 2),
    (2, 3),
    (2, 4),
    (3, 2),
    (3, 3),
    (3, 4),
    (4, 2),
    (4, 3),
    (4, 4)
);

/// Why a [`VertexFormat`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// A format needs at least one attribute.
    #[error("a vertex format needs at least one attribute")]
    Empty,
    /// An attribute's component count is 0 or above [`MAX_COMPONENTS`].
    #[error("attribute `{name}` has {count} components; 1 to 4 are allowed")]
    ComponentCount {
        /// The attribute's name.
        name: String,
        /// The count it asked for.
        count: u8,
    },
    /// A matrix of other than 2 to 4 columns of 2 to 4 floats, or a column count other than
    /// 1 on a vector.
    #[error("attribute `{name}` has {columns} columns of {count} {component:?}; matrices are 2 to 4 columns of 2 to 4 floats")]
    Matrix {
        /// The attribute's name.
        name: String,
        /// Its columns.
        columns: u8,
        /// Its components per column.
        count: u8,
        /// Its component type.
        component: ComponentType,
    },
    /// Two attributes share a location.
    #[error("attributes `{first}` and `{second}` share location {location}")]
    DuplicateLocation {
        /// The shared location.
        location: u32,
        /// The first attribute at that location.
        first: String,
        /// The second attribute at that location.
        second: String,
    },
    /// A location at or above the context's `GL_MAX_VERTEX_ATTRIBS`.
    #[error("attribute `{name}` has location {location}; this context allows below {max}")]
    LocationOutOfRange {
        /// The attribute's name.
        name: String,
        /// The location it asked for.
        location: u32,
        /// The context's `GL_MAX_VERTEX_ATTRIBS`.
        max: u32,
    },
    /// A [`ShaderInput`] the component type cannot have: a float attribute marked
    /// normalized or integer.
    #[error("attribute `{name}` stores {component:?} components, which cannot reach a shader as {input:?}")]
    Input {
        /// The attribute's name.
        name: String,
        /// Its component type.
        component: ComponentType,
        /// The input it asked for.
        input: ShaderInput,
    },
    /// A storage override in [`VertexFormat::from_program`] names no active input of the
    /// program.
    #[error("the program has no active input `{0}` for a storage override to apply to")]
    UnknownOverride(String),
    /// Two attributes share a name.
    #[error("two attributes are named `{0}`")]
    DuplicateName(String),
    /// A program input has a type no vertex format can feed (a matrix, a double, ...).
    #[error(
        "program input `{name}` has GL type 0x{gl_type:04X}, which a vertex format cannot feed"
    )]
    UnsupportedType {
        /// The input's name.
        name: String,
        /// Its GL type enum.
        gl_type: u32,
    },
}

/// A checked list of [`Attribute`]s: the layout every vertex of a domain shares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VertexFormat {
    attributes: Vec<Attribute>,
}

impl VertexFormat {
    /// Checks and builds a format: at least one attribute, counts of 1 to 4, matrices of 2
    /// to 4 float columns, an input each component type can have (normalized and integer
    /// inputs need integer components), and no location (a matrix takes one per column) or
    /// name used twice.
    pub fn new(attributes: Vec<Attribute>) -> Result<Self, FormatError> {
        if attributes.is_empty() {
            return Err(FormatError::Empty);
        }
        for (i, attribute) in attributes.iter().enumerate() {
            if attribute.component == ComponentType::F32 && attribute.input != ShaderInput::Float {
                return Err(FormatError::Input {
                    name: attribute.name.clone(),
                    component: attribute.component,
                    input: attribute.input,
                });
            }
            if attribute.count == 0 || attribute.count > MAX_COMPONENTS {
                return Err(FormatError::ComponentCount {
                    name: attribute.name.clone(),
                    count: attribute.count,
                });
            }
            let matrix_ok = match attribute.columns {
                1 => true,
                2..=4 => attribute.component == ComponentType::F32 && attribute.count >= 2,
                _ => false,
            };
            if !matrix_ok {
                return Err(FormatError::Matrix {
                    name: attribute.name.clone(),
                    columns: attribute.columns,
                    count: attribute.count,
                    component: attribute.component,
                });
            }
            for earlier in &attributes[..i] {
                if let Some(location) = attribute
                    .locations()
                    .find(|l| earlier.locations().contains(l))
                {
                    return Err(FormatError::DuplicateLocation {
                        location,
                        first: earlier.name.clone(),
                        second: attribute.name.clone(),
                    });
                }
                if earlier.name == attribute.name {
                    return Err(FormatError::DuplicateName(attribute.name.clone()));
                }
            }
        }
        Ok(VertexFormat { attributes })
    }

    /// The attributes, in the order they were given.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The index (into [`attributes`](Self::attributes)) of the attribute named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|a| a.name == name)
    }

    /// Total bytes per vertex over all attributes.
    pub fn vertex_size(&self) -> usize {
        self.attributes.iter().map(Attribute::size).sum()
    }

    /// The first location `self` and `other` both use, if any: a mesh format and an
    /// instance format drawn together must not share one.
    pub fn shared_location(&self, other: &VertexFormat) -> Option<u32> {
        self.attributes.iter().find_map(|a| {
            a.locations()
                .find(|l| other.attributes.iter().any(|b| b.locations().contains(l)))
        })
    }
}

/// The columns of a program input's GL type: 1, or 2 to 4 for a matrix.
fn input_columns(gl_type: u32) -> u8 {
    match gl_type {
        glow::FLOAT_MAT2 | glow::FLOAT_MAT2x3 | glow::FLOAT_MAT2x4 => 2,
        glow::FLOAT_MAT3 | glow::FLOAT_MAT3x2 | glow::FLOAT_MAT3x4 => 3,
        glow::FLOAT_MAT4 | glow::FLOAT_MAT4x2 | glow::FLOAT_MAT4x3 => 4,
        _ => 1,
    }
}

/// The component count (per column), default storage type and input kind of a program
/// input's GL type.
fn input_layout(gl_type: u32) -> Option<(u8, ComponentType, ShaderInput)> {
    use ComponentType::{F32, I32, U32};
    use ShaderInput::{Float, Integer};
    Some(match gl_type {
        glow::FLOAT_MAT2 | glow::FLOAT_MAT3x2 | glow::FLOAT_MAT4x2 => (2, F32, Float),
        glow::FLOAT_MAT2x3 | glow::FLOAT_MAT3 | glow::FLOAT_MAT4x3 => (3, F32, Float),
        glow::FLOAT_MAT2x4 | glow::FLOAT_MAT3x4 | glow::FLOAT_MAT4 => (4, F32, Float),
        glow::FLOAT => (1, F32, Float),
        glow::FLOAT_VEC2 => (2, F32, Float),
        glow::FLOAT_VEC3 => (3, F32, Float),
        glow::FLOAT_VEC4 => (4, F32, Float),
        glow::INT => (1, I32, Integer),
        glow::INT_VEC2 => (2, I32, Integer),
        glow::INT_VEC3 => (3, I32, Integer),
        glow::INT_VEC4 => (4, I32, Integer),
        glow::UNSIGNED_INT => (1, U32, Integer),
        glow::UNSIGNED_INT_VEC2 => (2, U32, Integer),
        glow::UNSIGNED_INT_VEC3 => (3, U32, Integer),
        glow::UNSIGNED_INT_VEC4 => (4, U32, Integer),
        _ => return None,
    })
}

impl VertexFormat {
    /// The format that feeds `program`'s active inputs, at the locations the program has
    /// (bound or chosen by the linker), in location order. Each input is stored as its
    /// shader type (`f32` for `vec*`, `i32`/`u32` read as integers for `ivec*`/`uvec*`),
    /// unless `storage` names it with another component type and normalized flag, such as
    /// `("colour", ComponentType::U8, true)` for colours. An override for an integer input
    /// keeps it an integer input (a narrower integer type, not normalized).
    ///
    /// Fails with [`FormatError::UnknownOverride`] when an override names no active input
    /// (a typo such as `color` for `colour`), and with [`FormatError::Input`] when it asks
    /// an integer input to be stored as floats or normalized.
    pub fn from_program(
        program: &super::Program,
        storage: &[(&str, ComponentType, bool)],
    ) -> Result<Self, FormatError> {
        let mut inputs = program.attributes();
        inputs.sort_by_key(|a| a.location);
        inputs.retain(|a| !a.name.starts_with("gl_"));
        if let Some((name, ..)) = storage
            .iter()
            .find(|(name, ..)| !inputs.iter().any(|input| input.name == *name))
        {
            return Err(FormatError::UnknownOverride((*name).to_owned()));
        }
        let attributes = inputs
            .into_iter()
            .map(|input| {
                let (count, default, kind) =
                    input_layout(input.gl_type).ok_or_else(|| FormatError::UnsupportedType {
                        name: input.name.clone(),
                        gl_type: input.gl_type,
                    })?;
                let (component, input_kind) = match storage.iter().find(|(n, ..)| *n == input.name)
                {
                    None => (default, kind),
                    Some(&(_, component, normalized)) => {
                        let wanted = match (kind, normalized) {
                            (ShaderInput::Integer, false) => ShaderInput::Integer,
                            (ShaderInput::Integer, true) => {
                                return Err(FormatError::Input {
                                    name: input.name,
                                    component,
                                    input: ShaderInput::Normalized,
                                })
                            }
                            (_, true) => ShaderInput::Normalized,
                            (_, false) => ShaderInput::Float,
                        };
                        if kind == ShaderInput::Integer && component == ComponentType::F32 {
                            return Err(FormatError::Input {
                                name: input.name,
                                component,
                                input: ShaderInput::Integer,
                            });
                        }
                        (component, wanted)
                    }
                };
                Ok(Attribute {
                    columns: input_columns(input.gl_type),
                    name: input.name,
                    location: input.location,
                    count,
                    component,
                    input: input_kind,
                })
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        VertexFormat::new(attributes)
    }
}

impl fmt::Display for VertexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.attributes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            let norm = match a.input {
                ShaderInput::Float => "",
                ShaderInput::Normalized => "n",
                ShaderInput::Integer => "i",
            };
            let columns = if a.columns > 1 {
                format!("{}x", a.columns)
            } else {
                String::new()
            };
            write!(
                f,
                "{}@{}:{columns}{}{:?}{}",
                a.name, a.location, a.count, a.component, norm
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad_format() -> Vec<Attribute> {
        vec![
            Attribute::new("position", 0, 2, ComponentType::F32),
            Attribute::new("tex_coords", 1, 2, ComponentType::F32),
            Attribute::new("colour", 2, 4, ComponentType::U8).normalized(),
        ]
    }

    #[test]
    fn a_sprite_format_is_accepted_and_sized() {
        let format = VertexFormat::new(quad_format()).unwrap();
        assert_eq!(format.vertex_size(), 8 + 8 + 4);
        assert_eq!(format.position("colour"), Some(2));
        assert_eq!(format.attributes()[2].size(), 4);
        assert_eq!(format.attributes()[2].input, ShaderInput::Normalized);
    }

    #[test]
    fn a_float_attribute_cannot_be_normalized_or_read_as_integers() {
        for input in [ShaderInput::Normalized, ShaderInput::Integer] {
            let mut attributes = quad_format();
            attributes[0].input = input;
            assert_eq!(
                VertexFormat::new(attributes),
                Err(FormatError::Input {
                    name: "position".into(),
                    component: ComponentType::F32,
                    input
                })
            );
        }
    }

    #[test]
    fn attribute_data_names_the_component_type_and_count_of_rust_types() {
        assert_eq!(
            (<[f32; 2]>::COMPONENT, <[f32; 2]>::COUNT),
            (ComponentType::F32, 2)
        );
        assert_eq!(
            (<[u8; 4]>::COMPONENT, <[u8; 4]>::COUNT),
            (ComponentType::U8, 4)
        );
        assert_eq!((i16::COMPONENT, i16::COUNT), (ComponentType::I16, 1));
    }

    #[test]
    fn zero_and_five_components_are_rejected() {
        for count in [0, 5] {
            let mut attributes = quad_format();
            attributes[1].count = count;
            assert_eq!(
                VertexFormat::new(attributes),
                Err(FormatError::ComponentCount {
                    name: "tex_coords".into(),
                    count
                })
            );
        }
    }

    #[test]
    fn a_duplicate_location_is_rejected() {
        let mut attributes = quad_format();
        attributes[2].location = 0;
        assert!(matches!(
            VertexFormat::new(attributes),
            Err(FormatError::DuplicateLocation { location: 0, .. })
        ));
    }

    #[test]
    fn a_matrix_takes_one_location_per_column_and_only_floats() {
        let model = Attribute::matrix("model", 3, 4, 4);
        assert_eq!(
            (model.size(), model.column_size(), model.locations()),
            (64, 16, 3..7)
        );
        assert_eq!(<[[f32; 4]; 4]>::COUNT, 16);
        let overlapping = vec![
            model.clone(),
            Attribute::new("colour", 5, 4, ComponentType::U8),
        ];
        assert!(matches!(
            VertexFormat::new(overlapping),
            Err(FormatError::DuplicateLocation { location: 5, .. })
        ));
        let mut bytes = Attribute::matrix("m", 0, 2, 2);
        bytes.component = ComponentType::U8;
        assert!(matches!(
            VertexFormat::new(vec![bytes]),
            Err(FormatError::Matrix { .. })
        ));
        let mesh = VertexFormat::new(vec![Attribute::new("position", 2, 2, ComponentType::F32)]);
        let instances = VertexFormat::new(vec![model]).unwrap();
        assert_eq!(mesh.unwrap().shared_location(&instances), None);
        let clash = VertexFormat::new(vec![Attribute::new("p", 6, 2, ComponentType::F32)]);
        assert_eq!(clash.unwrap().shared_location(&instances), Some(6));
    }

    #[test]
    fn a_duplicate_name_and_an_empty_format_are_rejected() {
        let mut attributes = quad_format();
        attributes[1].name = "position".into();
        assert_eq!(
            VertexFormat::new(attributes),
            Err(FormatError::DuplicateName("position".into()))
        );
        assert_eq!(VertexFormat::new(vec![]), Err(FormatError::Empty));
    }
}
