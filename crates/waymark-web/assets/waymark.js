// Waymark needs no script; this file is reserved for progressive enhancement.
