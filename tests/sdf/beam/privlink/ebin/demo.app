{application,demo,[{modules,[demo]},{applications,[kernel,stdlib]}]}.
