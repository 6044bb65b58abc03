// Placeholder translation unit so ktel_sys always has one source.
namespace ktel::sys {}
