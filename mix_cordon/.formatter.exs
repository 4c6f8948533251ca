# SPDX-License-Identifier: BSD-2-Clause
[inputs: ["{mix,.formatter}.exs", "lib/**/*.{ex,exs}"], line_length: 110]
